/// Edit distance counting insertions, deletions, substitutions and transpositions of adjacent
/// characters, where a transposed pair may also be edited further (the unrestricted
/// Damerau–Levenshtein distance of Lowrance and Wagner). Compares Unicode scalars.
public enum DamerauLevenshtein {
    public static func distance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs.unicodeScalars)
        let right = Array(rhs.unicodeScalars)
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        let infinity = left.count + right.count
        let columns = right.count + 2
        // Row-major (left.count + 2) × (right.count + 2) table with a sentinel border.
        var table = [Int](repeating: 0, count: (left.count + 2) * columns)
        func at(_ row: Int, _ column: Int) -> Int { row * columns + column }
        table[at(0, 0)] = infinity
        for row in 0...left.count {
            table[at(row + 1, 0)] = infinity
            table[at(row + 1, 1)] = row
        }
        for column in 0...right.count {
            table[at(0, column + 1)] = infinity
            table[at(1, column + 1)] = column
        }
        var lastRowOf: [Unicode.Scalar: Int] = [:]
        for row in 1...left.count {
            var lastMatchingColumn = 0
            for column in 1...right.count {
                let previousRow = lastRowOf[right[column - 1]] ?? 0
                let previousColumn = lastMatchingColumn
                let cost: Int
                if left[row - 1] == right[column - 1] {
                    cost = 0
                    lastMatchingColumn = column
                } else {
                    cost = 1
                }
                table[at(row + 1, column + 1)] = min(
                    table[at(row, column)] + cost,
                    table[at(row + 1, column)] + 1,
                    table[at(row, column + 1)] + 1,
                    table[at(previousRow, previousColumn)] + (row - previousRow - 1) + 1 + (column - previousColumn - 1)
                )
            }
            lastRowOf[left[row - 1]] = row
        }
        return table[at(left.count + 1, right.count + 1)]
    }

    /// 1 − distance / longer length: 1 for equal strings, 0 for nothing in common.
    public static func similarity(_ lhs: String, _ rhs: String) -> Double {
        let longest = max(lhs.unicodeScalars.count, rhs.unicodeScalars.count)
        guard longest > 0 else { return 1 }
        return 1 - Double(distance(lhs, rhs)) / Double(longest)
    }
}
