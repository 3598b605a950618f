/// Grades a pair of values by a comparator's levels, computing each similarity at most once
/// and only when a level needs it.
enum LevelGrader {
    /// The grade of two values: the position of the first level they pass, or `levels.count`.
    /// Ids are the values' ids in their column, negative for a value the column does not hold.
    @inline(__always)
    static func grade(_ levels: UnsafeBufferPointer<ComparisonLevel>, _ left: UnsafeBufferPointer<UInt32>, id leftID: Int32,
                      _ right: UnsafeBufferPointer<UInt32>, id rightID: Int32) -> Int {
        let equal = leftID >= 0 && rightID >= 0 ? leftID == rightID : left.elementsEqual(right)
        if equal { return equalGrade(levels) }
        var jaroWinkler = -1.0
        var withinOneEdit: Bool?
        var distance = -1
        // Characters the two values can have in common at most: a cheap bound that rules out
        // most Jaro–Winkler and edit-distance levels for unrelated values without computing them.
        var shared = -1
        for position in 0..<levels.count {
            switch levels[position] {
            case .exact:
                continue
            case .jaroWinkler(let threshold):
                if jaroWinkler < 0 {
                    if shared < 0 { shared = sharedCharacterBound(left, right) }
                    guard jaroWinklerBound(left.count, right.count, shared: shared) >= threshold else { continue }
                    jaroWinkler = JaroWinkler.similarity(left, right)
                }
                if jaroWinkler >= threshold { return position }
            case .damerauLevenshtein(let limit):
                guard limit > 0, abs(left.count - right.count) <= limit else { continue }
                if shared < 0 { shared = sharedCharacterBound(left, right) }
                // Each edit adds at most one character that the other value needs.
                guard max(left.count, right.count) - shared <= limit else { continue }
                let oneEdit = withinOneEdit ?? Self.withinOneEdit(left, right)
                withinOneEdit = oneEdit
                if oneEdit { return position }
                guard limit > 1 else { continue }
                if distance < 0 { distance = DamerauLevenshtein.distance(left, right) }
                if distance <= limit { return position }
            case .sameWords:
                if sameWords(left, right) { return position }
            case .dayMonthSwapped:
                if dayMonthSwapped(left, right) { return position }
            case .sameYearAndMonth:
                if sameYearAndMonth(left, right) { return position }
            }
        }
        return levels.count
    }

    /// The grade of two equal values: the first level that equal values pass (every level but
    /// a swap of day and month).
    private static func equalGrade(_ levels: UnsafeBufferPointer<ComparisonLevel>) -> Int {
        for position in 0..<levels.count where levels[position] != .dayMonthSwapped {
            return position
        }
        return levels.count
    }

    /// An upper bound on the characters two values have in common (counted with repeats):
    /// characters are counted in 32 buckets, so letters of one case never share a bucket.
    static func sharedCharacterBound(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Int {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { counts in
            counts.initialize(repeating: 0)
            for scalar in left { counts[Int(scalar & 31)] += 1 }
            for scalar in right { counts[32 + Int(scalar & 31)] += 1 }
            var shared: Int32 = 0
            for bucket in 0..<32 { shared += min(counts[bucket], counts[32 + bucket]) }
            return Int(shared)
        }
    }

    /// The highest Jaro–Winkler similarity two values of these lengths with at most `shared`
    /// common characters can reach (no transpositions, the longest prefix bonus).
    static func jaroWinklerBound(_ leftCount: Int, _ rightCount: Int, shared: Int) -> Double {
        guard leftCount > 0, rightCount > 0 else { return leftCount == rightCount ? 1 : 0 }
        let matches = Double(min(shared, leftCount, rightCount))
        let jaro = (matches / Double(leftCount) + matches / Double(rightCount) + 1) / 3
        return jaro + 0.4 * (1 - jaro)
    }

    /// Whether two different values are one substitution, insertion, deletion or swap of
    /// neighbours apart: Damerau–Levenshtein distance 1, in linear time.
    static func withinOneEdit(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Bool {
        let (shorter, longer) = left.count <= right.count ? (left, right) : (right, left)
        guard longer.count - shorter.count <= 1 else { return false }
        var first = 0
        while first < shorter.count, shorter[first] == longer[first] { first += 1 }
        if shorter.count == longer.count {
            guard first < shorter.count else { return true }
            if tailsEqual(shorter, from: first + 1, longer, from: first + 1) { return true }
            return first + 1 < shorter.count && shorter[first] == longer[first + 1] && shorter[first + 1] == longer[first]
                && tailsEqual(shorter, from: first + 2, longer, from: first + 2)
        }
        return tailsEqual(shorter, from: first, longer, from: first + 1)
    }

    private static func tailsEqual(_ left: UnsafeBufferPointer<UInt32>, from leftStart: Int,
                                   _ right: UnsafeBufferPointer<UInt32>, from rightStart: Int) -> Bool {
        guard left.count - leftStart == right.count - rightStart else { return false }
        var i = leftStart
        var j = rightStart
        while i < left.count {
            if left[i] != right[j] { return false }
            i += 1
            j += 1
        }
        return true
    }

    private static let space = UInt32(32)

    static func sameWords(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Bool {
        guard left.count == right.count, left.contains(space), right.contains(space) else { return false }
        let leftWords = left.split(separator: space).sorted { $0.lexicographicallyPrecedes($1) }
        let rightWords = right.split(separator: space).sorted { $0.lexicographicallyPrecedes($1) }
        return leftWords.elementsEqual(rightWords) { $0.elementsEqual($1) }
    }

    /// Whether both are `yyyymmdd` dates.
    private static func areDates(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Bool {
        left.count == 8 && right.count == 8
            && left.allSatisfy { $0 >= 48 && $0 <= 57 } && right.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func dayMonthSwapped(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Bool {
        guard areDates(left, right) else { return false }
        return left[0] == right[0] && left[1] == right[1] && left[2] == right[2] && left[3] == right[3]
            && left[4] == right[6] && left[5] == right[7] && left[6] == right[4] && left[7] == right[5]
    }

    static func sameYearAndMonth(_ left: UnsafeBufferPointer<UInt32>, _ right: UnsafeBufferPointer<UInt32>) -> Bool {
        guard areDates(left, right) else { return false }
        return (0..<6).allSatisfy { left[$0] == right[$0] }
    }
}
