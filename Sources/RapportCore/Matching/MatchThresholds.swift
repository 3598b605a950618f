import Foundation

/// The match probabilities at which a candidate pair is shown for review and at which it is
/// merged without asking.
public struct MatchThresholds: Sendable, Hashable {
    /// Pairs at or above this probability are duplicates worth a look.
    public var review: Double
    /// Pairs at or above this probability are merged automatically.
    public var autoMerge: Double

    public init(review: Double, autoMerge: Double) {
        self.review = review
        self.autoMerge = autoMerge
    }

    /// Thresholds given as match weights (log2 of the odds) instead of probabilities.
    public init(reviewWeight: Double, autoMergeWeight: Double) {
        self.init(review: MatchWeight.probability(ofWeight: reviewWeight),
                  autoMerge: MatchWeight.probability(ofWeight: autoMergeWeight))
    }
}

/// Conversions between match weights (log2 of the odds of a match) and probabilities.
public enum MatchWeight {
    /// 2^w / (1 + 2^w).
    public static func probability(ofWeight weight: Double) -> Double {
        if weight > 60 { return 1 }
        if weight < -60 { return 0 }
        let odds = exp2(weight)
        return odds / (1 + odds)
    }

    /// log2(p / (1 − p)), finite for probabilities strictly between 0 and 1.
    public static func weight(ofProbability probability: Double) -> Double {
        let clamped = min(max(probability, 1e-15), 1 - 1e-15)
        return log2(clamped / (1 - clamped))
    }
}
