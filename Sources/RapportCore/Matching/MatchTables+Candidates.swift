/// A block whose pairs are compared: one key of one blocking rule.
struct CandidateBlock: Sendable {
    let rule: Int
    let key: Int32
}

extension MatchTables {
    /// The comparable blocks of every rule, split into pieces of about equal pair counts.
    func candidatePieces(pieceCount: Int) -> [[CandidateBlock]] {
        var blocksWithPairs: [(block: CandidateBlock, pairs: Int)] = []
        var total = 0
        for rule in 0..<blocks.count {
            let members = blocks[rule].members
            for key in 0..<members.heads.count {
                let size = members.list(at: key).count
                guard isComparable(blockSize: size) else { continue }
                let pairs = size * (size - 1) / 2
                blocksWithPairs.append((CandidateBlock(rule: rule, key: Int32(key)), pairs))
                total += pairs
            }
        }
        let share = max(1, total / max(1, pieceCount))
        var pieces: [[CandidateBlock]] = []
        var current: [CandidateBlock] = []
        var currentPairs = 0
        for (block, pairs) in blocksWithPairs {
            current.append(block)
            currentPairs += pairs
            if currentPairs >= share {
                pieces.append(current)
                current = []
                currentPairs = 0
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// Calls `body(first, second, rules)` once for every candidate pair in `piece`, where
    /// `rules` has a bit for every blocking rule that pairs the two records. A pair that
    /// several rules or keys find is reported by the first of them only.
    func forEachCandidatePair(in piece: [CandidateBlock], _ body: (Int, Int, UInt64) -> Void) {
        for block in piece {
            let members = blocks[block.rule].members.list(at: Int(block.key))
            for firstPosition in members.indices {
                let first = Int(members[firstPosition])
                for secondPosition in (firstPosition + 1)..<members.endIndex {
                    let second = Int(members[secondPosition])
                    guard mayPair(first, second) else { continue }
                    let shared = sharedRules(first, second)
                    guard shared.firstRule == block.rule, shared.firstKey == block.key else { continue }
                    body(min(first, second), max(first, second), shared.rules)
                }
            }
        }
    }

    /// The rules under which two records share a comparable block, and the first such block.
    func sharedRules(_ first: Int, _ second: Int) -> (rules: UInt64, firstRule: Int, firstKey: Int32) {
        var rules: UInt64 = 0
        var firstRule = -1
        var firstKey: Int32 = -1
        for rule in 0..<blocks.count {
            let table = blocks[rule]
            let firstKeys = table.keysOfRecord.list(at: first)
            let secondKeys = table.keysOfRecord.list(at: second)
            guard !firstKeys.isEmpty, !secondKeys.isEmpty else { continue }
            // Both lists are ascending: walk them together.
            var i = 0
            var j = 0
            while i < firstKeys.count, j < secondKeys.count {
                let left = firstKeys[i]
                let right = secondKeys[j]
                if left < right {
                    i += 1
                } else if right < left {
                    j += 1
                } else {
                    if isComparable(blockSize: table.size(of: left)) {
                        rules |= 1 << UInt64(rule)
                        if firstRule < 0 {
                            firstRule = rule
                            firstKey = left
                        }
                        break
                    }
                    i += 1
                    j += 1
                }
            }
        }
        return (rules, firstRule, firstKey)
    }
}
