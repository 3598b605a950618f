/// What to do with a scored pair under a profile's thresholds.
public enum MatchDecision: String, Sendable, Hashable {
    /// Below the review threshold: different customers.
    case distinct
    /// Worth a person's look.
    case review
    /// Sure enough to merge without asking.
    case autoMerge = "auto_merge"
}

extension MatchThresholds {
    /// The decision for a pair with match probability `probability`.
    public func decision(for probability: Double) -> MatchDecision {
        if probability >= autoMerge { return .autoMerge }
        if probability >= review { return .review }
        return .distinct
    }
}
