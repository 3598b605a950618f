/// Two records that may be the same customer, with the evidence weighed.
public struct ScoredPair: Sendable, Hashable {
    public var firstID: String
    public var secondID: String
    /// log2 of the odds that the records are the same customer.
    public var weight: Double
    /// The probability that the records are the same customer.
    public var probability: Double
    /// The grade of every field, for explanations and for labelling the pair later.
    public var comparison: ComparisonVector

    public init(firstID: String, secondID: String, weight: Double, comparison: ComparisonVector) {
        self.firstID = firstID
        self.secondID = secondID
        self.weight = weight
        self.probability = MatchWeight.probability(ofWeight: weight)
        self.comparison = comparison
    }
}

/// Why a pair scored as it did: the prior and each field's part of the match weight.
public struct MatchExplanation: Sendable, Hashable {
    /// log2(λ / (1 − λ)), the weight before any field is compared.
    public var priorWeight: Double
    public var fields: [FieldContribution]
    public var weight: Double
    public var probability: Double
}

/// One field's part of a pair's match weight.
public struct FieldContribution: Sendable, Hashable {
    public var field: String
    /// The level the values reached (`exact`, `jaro_winkler>=0.92`, `else`); nil when a value was missing.
    public var grade: String?
    /// log2(m / u): positive supports a match, negative opposes it, zero for a missing value.
    public var weight: Double
    /// Whether the weight reflects how rare the shared value is.
    public var termFrequencyAdjusted: Bool
}
