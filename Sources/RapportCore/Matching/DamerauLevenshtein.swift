/// Edit distance counting insertions, deletions, substitutions and transpositions of adjacent
/// characters, where a transposed pair may also be edited further (the unrestricted
/// Damerau–Levenshtein distance of Lowrance and Wagner). Compares Unicode scalars.
public enum DamerauLevenshtein {
    public static func distance(_ lhs: String, _ rhs: String) -> Int {
        let left = lhs.unicodeScalars.map(\.value)
        let right = rhs.unicodeScalars.map(\.value)
        return left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in distance(left, right) }
        }
    }

    /// 1 − distance / longer length: 1 for equal strings, 0 for nothing in common.
    public static func similarity(_ lhs: String, _ rhs: String) -> Double {
        let longest = max(lhs.unicodeScalars.count, rhs.unicodeScalars.count)
        guard longest > 0 else { return 1 }
        return 1 - Double(distance(lhs, rhs)) / Double(longest)
    }

    /// The distance between two scalar sequences; the matcher calls this on its precomputed values.
    static func distance(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Int {
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        let rows = left.count + 2
        let columns = right.count + 2
        let infinity = Int32(left.count + right.count)
        // One stack allocation holds the (rows × columns) table with its sentinel border, then,
        // per column, the last row whose character equals that column's character (the
        // algorithm's "last row of this character", without a dictionary).
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: rows * columns + columns) { storage in
            let table = UnsafeMutableBufferPointer(rebasing: storage[0..<(rows * columns)])
            let lastRowOfColumn = UnsafeMutableBufferPointer(rebasing: storage[(rows * columns)...])
            lastRowOfColumn.initialize(repeating: 0)
            table[0] = infinity
            for row in 0...left.count {
                table[(row + 1) * columns] = infinity
                table[(row + 1) * columns + 1] = Int32(row)
            }
            for column in 0...right.count {
                table[column + 1] = infinity
                table[columns + column + 1] = Int32(column)
            }
            for row in 1...left.count {
                let scalar = left[row - 1]
                var lastMatchingColumn = 0
                for column in 1...right.count {
                    let previousRow = Int(lastRowOfColumn[column])
                    let previousColumn = lastMatchingColumn
                    let cost: Int32
                    if scalar == right[column - 1] {
                        cost = 0
                        lastMatchingColumn = column
                    } else {
                        cost = 1
                    }
                    let transposed = table[previousRow * columns + previousColumn]
                        + Int32(row - previousRow - 1) + 1 + Int32(column - previousColumn - 1)
                    table[(row + 1) * columns + column + 1] = min(
                        table[row * columns + column] + cost,
                        table[(row + 1) * columns + column] + 1,
                        table[row * columns + column + 1] + 1,
                        transposed
                    )
                }
                for column in 1...right.count where right[column - 1] == scalar {
                    lastRowOfColumn[column] = Int32(row)
                }
            }
            return Int(table[(left.count + 1) * columns + right.count + 1])
        }
    }
}
