/// u estimated from pairs of records drawn at random, which are almost all different customers.
struct RandomPairs {
    /// The number of pairs that the profile's pairing allows among the index's records.
    static func universe(of index: MatchIndex) -> Double {
        var perSource: [Int32: Int] = [:]
        var total = 0
        for slot in index.liveSlots {
            perSource[index.sourceOfSlot[Int(slot)], default: 0] += 1
            total += 1
        }
        let all = Double(total) * Double(total - 1) / 2
        guard index.profile.pairing == .link else { return all }
        return all - perSource.values.reduce(0) { $0 + Double($1) * Double($1 - 1) / 2 }
    }

    /// Per field and grade, how many of the compared random pairs had that grade (missing
    /// values counted nowhere). Compares every allowed pair when there are no more than `count`.
    static func gradeCounts(in index: MatchIndex, tables: MatchTables, count: Int, seed: UInt64) -> [[Int]] {
        let live = index.liveSlots
        let gradeCounts = index.profile.fields.map(\.comparator.gradeCount)
        let empty = gradeCounts.map { [Int](repeating: 0, count: $0) }
        guard live.count >= 2, count > 0 else { return empty }
        let exhaustive = universe(of: index) <= Double(count)
        let pieces = ParallelWork.pieceCount
        let partials = ParallelWork.map(pieces) { piece -> [[Int]] in
            var counts = empty
            var shared = [Int32](repeating: -1, count: gradeCounts.count)
            func tally(_ first: Int, _ second: Int) {
                let packed = tables.compare(IndexedSide(slot: first), second, sharedValues: &shared)
                for field in counts.indices {
                    if let grade = ComparisonVector.grade(packed, field) { counts[field][grade] += 1 }
                }
            }
            if exhaustive {
                for position in stride(from: piece, to: live.count, by: pieces) {
                    let first = Int(live[position])
                    for other in (position + 1)..<live.count where tables.mayPair(first, Int(live[other])) {
                        tally(first, Int(live[other]))
                    }
                }
            } else {
                var random = SeededRandom(seed: seed &+ UInt64(piece) &* 0xD1B5_4A32_D192_ED03)
                let share = count / pieces + (piece < count % pieces ? 1 : 0)
                var drawn = 0
                var attempts = 0
                while drawn < share, attempts < share * 20 {
                    attempts += 1
                    let first = Int(live[Int.random(in: 0..<live.count, using: &random)])
                    let second = Int(live[Int.random(in: 0..<live.count, using: &random)])
                    guard first != second, tables.mayPair(first, second) else { continue }
                    tally(first, second)
                    drawn += 1
                }
            }
            return counts
        }
        var total = empty
        for partial in partials {
            for field in total.indices {
                for grade in total[field].indices { total[field][grade] += partial[field][grade] }
            }
        }
        return total
    }

    /// The exact share of allowed record pairs, among those with values on both sides, that
    /// share a value of `column`: counted from the value frequencies instead of sampled,
    /// so that rare agreements (identity numbers) get a u that sampling would round to zero.
    static func sharedValueShare(of column: ValueColumn, in index: MatchIndex) -> Double {
        // Ordered pairs of records sharing each value, over ordered pairs of records with values.
        var valuePairs = 0.0
        for count in column.recordCounts where count > 1 {
            valuePairs += Double(count) * Double(count - 1)
        }
        let holders = Double(column.recordsWithValues)
        var recordPairs = holders * (holders - 1)
        if index.profile.pairing == .link {
            // Linking pairs records of different sources only: take out the pairs within each source.
            var perSource: [Int32: [Int32: Int]] = [:]
            var holdersPerSource: [Int32: Int] = [:]
            for slot in index.liveSlots {
                let values = column.records.list(at: Int(slot))
                guard !values.isEmpty else { continue }
                let source = index.sourceOfSlot[Int(slot)]
                holdersPerSource[source, default: 0] += 1
                for value in values { perSource[source, default: [:]][value, default: 0] += 1 }
            }
            for counts in perSource.values {
                for count in counts.values { valuePairs -= Double(count) * Double(count - 1) }
            }
            for count in holdersPerSource.values { recordPairs -= Double(count) * Double(count - 1) }
        }
        return recordPairs > 0 ? max(valuePairs, 0) / recordPairs : 0
    }
}
