/// How a model is estimated from an index.
public struct MatchTrainingOptions: Sendable, Hashable {
    /// Seeds the sampling of random pairs; the same seed and data give the same model.
    public var seed: UInt64
    /// Random record pairs compared to estimate u; all pairs when there are fewer.
    public var randomPairs: Int
    /// Rounds of expectation–maximization per blocking rule at most.
    public var maximumIterations: Int
    /// EM stops when no probability moves by more than this.
    public var tolerance: Double

    public init(seed: UInt64 = 42, randomPairs: Int = 100_000, maximumIterations: Int = 100, tolerance: Double = 1e-6) {
        self.seed = seed
        self.randomPairs = randomPairs
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
    }
}
