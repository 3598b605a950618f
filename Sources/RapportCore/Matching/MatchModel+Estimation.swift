extension MatchModel {
    /// Estimates a model from the records of `index` without any labels, as Splink does:
    /// u from random pairs (exact agreement from value frequencies), then, for each blocking
    /// rule, m by expectation–maximization over the pairs that rule finds, leaving out the
    /// fields the rule blocks on; m is averaged over the rules and λ follows from how many
    /// matches each rule finds and how often matches share that rule's key.
    public static func estimate(from index: MatchIndex, options: MatchTrainingOptions = MatchTrainingOptions()) -> MatchModel {
        let profile = index.profile
        var model = MatchModel(defaultsFor: profile)
        let (u, patterns) = index.withTables { tables in
            (estimateU(index: index, tables: tables, options: options), candidatePatterns(tables: tables))
        }
        for field in model.fields.indices { model.fields[field].estimatedU = u[field] }

        let sessions = profile.blockingRules.indices.compactMap { rule in
            session(rule: rule, patterns: patterns, profile: profile, u: u, start: model, options: options)
        }
        guard !sessions.isEmpty else { return model }
        for field in model.fields.indices {
            // Each rule's estimate counts by the matches it saw with this field on both sides.
            let weight = sessions.reduce(0) { $0 + $1.evidence[field] }
            guard weight > 0 else { continue }
            var m = [Double](repeating: 0, count: model.fields[field].estimatedM.count)
            for session in sessions where session.evidence[field] > 0 {
                for grade in m.indices { m[grade] += session.m[field][grade] * session.evidence[field] / weight }
            }
            model.fields[field].estimatedM = ExpectationMaximization.floored(m, at: ExpectationMaximization.smallestM)
        }
        if let lambda = matchProbability(sessions: sessions, profile: profile, universe: RandomPairs.universe(of: index)) {
            model.matchProbability = lambda
        }
        return model
    }

    private static func estimateU(index: MatchIndex, tables: MatchTables, options: MatchTrainingOptions) -> [[Double]] {
        let counts = RandomPairs.gradeCounts(in: index, tables: tables, count: options.randomPairs, seed: options.seed)
        return index.profile.fields.enumerated().map { field, definition in
            let observed = counts[field]
            let compared = observed.reduce(0, +)
            let floor = 0.5 / Double(max(compared, 1))
            guard compared > 0 else { return FieldModel(defaultsFor: definition).estimatedU }
            var u = observed.map { Double($0) / Double(compared) }
            if definition.comparator.levels.first == .exact {
                // Exact agreement comes from value frequencies; the other grades share the rest
                // in the proportions the sample found among pairs that were not equal.
                let shared = RandomPairs.sharedValueShare(of: index.columns[index.plan.fieldColumns[field]], in: index)
                let unequal = Double(compared - observed[0])
                u[0] = max(shared, 1e-12)
                for grade in 1..<u.count {
                    u[grade] = unequal > 0 ? (1 - u[0]) * Double(observed[grade]) / unequal : (1 - u[0]) / Double(u.count - 1)
                }
                return ExpectationMaximization.floored(u, at: 1e-12).enumerated().map { grade, value in
                    grade == 0 ? value : max(value, floor)
                }
            }
            return ExpectationMaximization.floored(u, at: floor)
        }
    }

    /// The distinct comparison vectors of all candidate pairs, with counts and the rules that found them.
    private static func candidatePatterns(tables: MatchTables) -> [ComparisonPattern] {
        struct Key: Hashable { let vector: UInt64; let rules: UInt64 }
        let pieces = tables.candidatePieces(pieceCount: ParallelWork.pieceCount)
        let partials = ParallelWork.map(pieces.count) { piece -> [Key: Int] in
            var counts: [Key: Int] = [:]
            var shared = [Int32](repeating: -1, count: tables.fieldCount)
            tables.forEachCandidatePair(in: pieces[piece]) { first, second, rules in
                let vector = tables.compare(IndexedSide(slot: first), second, sharedValues: &shared)
                counts[Key(vector: vector, rules: rules), default: 0] += 1
            }
            return counts
        }
        var merged: [Key: Int] = [:]
        for partial in partials { merged.merge(partial, uniquingKeysWith: +) }
        return merged.map { ComparisonPattern(vector: $0.key.vector, rules: $0.key.rules, count: Double($0.value)) }
            .sorted { ($0.vector, $0.rules) < ($1.vector, $1.rules) }
    }

    /// What EM found among the pairs of one blocking rule.
    private struct Session {
        let rule: Int
        let m: [[Double]]
        /// Per field, the expected matches with a value on both sides; zero for fields left out.
        let evidence: [Double]
        let expectedMatches: Double
        /// Among this rule's expected matches, the share that each other rule also pairs.
        let sharePairedBy: [Double]
    }

    private static func session(rule: Int, patterns: [ComparisonPattern], profile: MatchProfile, u: [[Double]],
                                start: MatchModel, options: MatchTrainingOptions) -> Session? {
        let bit = UInt64(1) << UInt64(rule)
        let chosen = patterns.filter { $0.rules & bit != 0 }
        guard chosen.reduce(0, { $0 + $1.count }) >= 10 else { return nil }
        let blockedSources = Set(profile.blockingRules[rule].keys.flatMap(\.sources))
        let active = profile.fields.map { !blockedSources.contains($0.source) }
        guard active.contains(true) else { return nil }
        let em = ExpectationMaximization(u: u, active: active, maximumIterations: options.maximumIterations,
                                         tolerance: options.tolerance)
        let outcome = em.run(chosen, m: start.fields.map(\.estimatedM), lambda: 0.5)
        var expected = 0.0
        var pairedBy = [Double](repeating: 0, count: profile.blockingRules.count)
        for (pattern, posterior) in zip(chosen, outcome.posteriors) {
            let mass = pattern.count * posterior
            expected += mass
            for other in pairedBy.indices where pattern.rules & (UInt64(1) << UInt64(other)) != 0 {
                pairedBy[other] += mass
            }
        }
        guard expected > 0 else { return nil }
        return Session(rule: rule, m: outcome.m, evidence: outcome.evidence, expectedMatches: expected,
                       sharePairedBy: pairedBy.map { $0 / expected })
    }

    /// λ from the sessions: a rule that finds E matches, where matches found by unrelated rules
    /// share its key with probability r, implies E / r matches in all; the median over rules,
    /// divided by all allowed pairs.
    private static func matchProbability(sessions: [Session], profile: MatchProfile, universe: Double) -> Double? {
        guard universe > 0 else { return nil }
        let sources = profile.blockingRules.map { Set($0.keys.flatMap(\.sources)) }
        var totals: [Double] = []
        for session in sessions {
            let witnesses = sessions.filter { $0.rule != session.rule && sources[$0.rule].isDisjoint(with: sources[session.rule]) }
            let weight = witnesses.reduce(0) { $0 + $1.expectedMatches }
            guard weight > 0 else { continue }
            let recall = witnesses.reduce(0) { $0 + $1.sharePairedBy[session.rule] * $1.expectedMatches } / weight
            guard recall > 0.01 else { continue }
            totals.append(session.expectedMatches / recall)
        }
        if totals.isEmpty {
            totals = [sessions.map(\.expectedMatches).max() ?? 0]
        }
        totals.sort()
        let median = totals.count % 2 == 1 ? totals[totals.count / 2]
            : (totals[totals.count / 2 - 1] + totals[totals.count / 2]) / 2
        return min(max(median / universe, 1e-12), 0.5)
    }
}
