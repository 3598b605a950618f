/// Finds records that are probably the same customer, with a profile's comparisons and a
/// model's weights: all duplicate pairs of an index in one batch, or the candidates of one
/// record as it is written. Every method expects an index built with the finder's profile.
public struct DuplicateFinder: Sendable {
    public let profile: MatchProfile
    public let model: MatchModel
    private let weights: MatchWeights

    /// Fails when `model` was estimated for other fields or levels than `profile` has.
    public init(profile: MatchProfile, model: MatchModel) throws(MatchConfigurationError) {
        let problems = profile.problems + model.problems(with: profile)
        guard problems.isEmpty else { throw MatchConfigurationError(problems: problems) }
        self.profile = profile
        self.model = model
        weights = MatchWeights(model: model)
    }

    /// Every candidate pair of `index` at or above `minimumProbability` (the profile's review
    /// threshold by default), most likely first.
    public func duplicatePairs(in index: MatchIndex, minimumProbability: Double? = nil) -> [ScoredPair] {
        let minimumWeight = MatchWeight.weight(ofProbability: minimumProbability ?? profile.thresholds.review)
        let found = index.withTables(weights: weights) { tables in
            let pieces = tables.candidatePieces(pieceCount: ParallelWork.pieceCount)
            return ParallelWork.map(pieces.count) { piece -> [(Int32, Int32, UInt64, Double)] in
                var shared = [Int32](repeating: -1, count: tables.fieldCount)
                var pairs: [(Int32, Int32, UInt64, Double)] = []
                tables.forEachCandidatePair(in: pieces[piece]) { first, second, _ in
                    let packed = tables.compare(IndexedSide(slot: first), second, sharedValues: &shared)
                    let weight = tables.weight(packed, sharedValues: shared)
                    if weight >= minimumWeight { pairs.append((Int32(first), Int32(second), packed, weight)) }
                }
                return pairs
            }
        }
        let fieldCount = profile.fields.count
        return Self.ordered(found.joined().map { first, second, packed, weight in
            ScoredPair(firstID: index.ids[Int(first)], secondID: index.ids[Int(second)], weight: weight,
                       comparison: ComparisonVector(packed: packed, fieldCount: fieldCount))
        })
    }

    /// The records of `index` that the record with `id` (already in the index) may duplicate,
    /// at or above `minimumProbability` (the review threshold by default), most likely first.
    public func candidates(forID id: String, in index: MatchIndex, minimumProbability: Double? = nil) -> [ScoredPair] {
        guard let slot = index.slotOfID[id] else { return [] }
        let keys = index.blocks.map { Array($0.keysOfRecord.list(at: Int(slot))) }
        return candidates(of: IndexedSide(slot: Int(slot)), id: id, source: index.sourceOfSlot[Int(slot)], keys: keys,
                          joinsBlocks: false, index: index, minimumProbability: minimumProbability)
    }

    /// The records of `index` that `record` may duplicate, without adding it to the index; a
    /// record with the id of one in the index is compared as that record's new version.
    public func candidates(for record: MatchRecord, in index: MatchIndex, minimumProbability: Double? = nil) -> [ScoredPair] {
        let probe = MatchProbe(record, in: index)
        return candidates(of: probe, id: record.id, source: probe.source, keys: probe.blockKeys,
                          joinsBlocks: !index.contains(id: record.id), index: index, minimumProbability: minimumProbability)
    }

    /// The grades of two records of `index`, e.g. to label the pair for `MatchModel.refined`.
    public func comparison(between firstID: String, and secondID: String, in index: MatchIndex) -> ComparisonVector? {
        guard let first = index.slotOfID[firstID], let second = index.slotOfID[secondID] else { return nil }
        return index.withTables { tables in
            var shared = [Int32](repeating: -1, count: tables.fieldCount)
            let packed = tables.compare(IndexedSide(slot: Int(first)), Int(second), sharedValues: &shared)
            return ComparisonVector(packed: packed, fieldCount: tables.fieldCount)
        }
    }

    /// Each field's part in the match weight of two records of `index`, for a review screen.
    public func explanation(between firstID: String, and secondID: String, in index: MatchIndex) -> MatchExplanation? {
        guard let first = index.slotOfID[firstID], let second = index.slotOfID[secondID] else { return nil }
        return index.withTables(weights: weights) { tables in
            var shared = [Int32](repeating: -1, count: tables.fieldCount)
            let packed = tables.compare(IndexedSide(slot: Int(first)), Int(second), sharedValues: &shared)
            var total = tables.priorWeight
            let contributions = profile.fields.enumerated().map { field, definition -> FieldContribution in
                guard let grade = ComparisonVector.grade(packed, field) else {
                    return FieldContribution(field: definition.name, grade: nil, weight: 0, termFrequencyAdjusted: false)
                }
                let part = tables.fieldWeight(field, grade: grade, sharedValue: shared[field])
                total += part.weight
                return FieldContribution(field: definition.name, grade: definition.comparator.gradeName(grade),
                                         weight: part.weight, termFrequencyAdjusted: part.adjusted)
            }
            return MatchExplanation(priorWeight: tables.priorWeight, fields: contributions, weight: total,
                                    probability: MatchWeight.probability(ofWeight: total))
        }
    }

    /// Compares one record with every record that shares a comparable block with it. Blocks are
    /// judged by their size with the record in them (`joinsBlocks` when it is not yet), as the
    /// batch judges them.
    private func candidates(of side: some MatchSide, id: String, source: Int32, keys: [[Int32]], joinsBlocks: Bool,
                            index: MatchIndex, minimumProbability: Double?) -> [ScoredPair] {
        let minimumWeight = MatchWeight.weight(ofProbability: minimumProbability ?? profile.thresholds.review)
        let found = index.withTables(weights: weights) { tables in
            var seen = Set<Int32>()
            var shared = [Int32](repeating: -1, count: tables.fieldCount)
            var pairs: [(Int, UInt64, Double)] = []
            for rule in 0..<tables.blocks.count {
                let members = tables.blocks[rule].members
                for key in keys[rule] {
                    let block = members.list(at: Int(key))
                    guard tables.isComparable(blockSize: block.count + (joinsBlocks ? 1 : 0)) else { continue }
                    for member in block {
                        let slot = Int(member)
                        guard index.ids[slot] != id, seen.insert(member).inserted else { continue }
                        guard !tables.linksSourcesOnly || tables.sources[slot] != source else { continue }
                        let packed = tables.compare(side, slot, sharedValues: &shared)
                        let weight = tables.weight(packed, sharedValues: shared)
                        if weight >= minimumWeight { pairs.append((slot, packed, weight)) }
                    }
                }
            }
            return pairs
        }
        return Self.ordered(found.map { slot, packed, weight in
            ScoredPair(firstID: id, secondID: index.ids[slot], weight: weight,
                       comparison: ComparisonVector(packed: packed, fieldCount: profile.fields.count))
        })
    }

    private static func ordered(_ pairs: [ScoredPair]) -> [ScoredPair] {
        pairs.sorted { left, right in
            if left.weight != right.weight { return left.weight > right.weight }
            if left.firstID != right.firstID { return left.firstID < right.firstID }
            return left.secondID < right.secondID
        }
    }
}
