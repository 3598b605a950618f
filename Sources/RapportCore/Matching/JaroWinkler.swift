/// Jaro–Winkler similarity of two strings, from 0 (nothing alike) to 1 (equal), compared by
/// Unicode scalars so that names without spaces (Chinese) compare character by character.
public enum JaroWinkler {
    /// - Parameters:
    ///   - prefixScale: weight of a common prefix (Winkler's p, at most 0.25).
    ///   - boostThreshold: the Jaro score above which the prefix bonus applies.
    public static func similarity(_ lhs: String, _ rhs: String, prefixScale: Double = 0.1,
                                  boostThreshold: Double = 0.7) -> Double {
        let left = lhs.unicodeScalars.map(\.value)
        let right = rhs.unicodeScalars.map(\.value)
        return left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                similarity(left, right, prefixScale: prefixScale, boostThreshold: boostThreshold)
            }
        }
    }

    /// The similarity of two scalar sequences; the matcher calls this on its precomputed values.
    static func similarity(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>,
                           prefixScale: Double = 0.1, boostThreshold: Double = 0.7) -> Double {
        let jaro = jaroSimilarity(left, right)
        guard jaro > boostThreshold else { return jaro }
        let limit = min(4, left.count, right.count)
        var prefix = 0
        while prefix < limit, left[prefix] == right[prefix] { prefix += 1 }
        return jaro + Double(prefix) * min(prefixScale, 0.25) * (1 - jaro)
    }

    static func jaroSimilarity(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Double {
        if left.isEmpty && right.isEmpty { return 1 }
        if left.isEmpty || right.isEmpty { return 0 }
        let window = max(0, max(left.count, right.count) / 2 - 1)
        // Matched flags live on the stack: the matcher calls this millions of times.
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: left.count + right.count) { flags in
            flags.initialize(repeating: false)
            let leftMatched = UnsafeMutableBufferPointer(rebasing: flags[0..<left.count])
            let rightMatched = UnsafeMutableBufferPointer(rebasing: flags[left.count...])
            var matches = 0
            for index in 0..<left.count {
                let low = max(0, index - window)
                let high = min(right.count - 1, index + window)
                guard low <= high else { continue }
                let scalar = left[index]
                for other in low...high where !rightMatched[other] && scalar == right[other] {
                    leftMatched[index] = true
                    rightMatched[other] = true
                    matches += 1
                    break
                }
            }
            guard matches > 0 else { return 0 }
            var transpositions = 0
            var other = 0
            for index in 0..<left.count where leftMatched[index] {
                while !rightMatched[other] { other += 1 }
                if left[index] != right[other] { transpositions += 1 }
                other += 1
            }
            let m = Double(matches)
            return (m / Double(left.count) + m / Double(right.count) + (m - Double(transpositions / 2)) / m) / 3
        }
    }
}
