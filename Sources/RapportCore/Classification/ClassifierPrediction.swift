/// Where a classifier would route a message, and how sure it is.
public struct ClassifierPrediction: Sendable, Hashable {
    /// One label with the probability the classifier gives it.
    public struct Candidate: Sendable, Hashable {
        public var label: String
        /// Calibrated probability in 0...1 that this label is the right one.
        public var confidence: Double

        public init(label: String, confidence: Double) {
            self.label = label
            self.confidence = confidence
        }
    }

    /// The most likely label.
    public var label: String
    /// Calibrated probability in 0...1 that `label` is right (see `TextClassifier.temperature`).
    public var confidence: Double
    /// True when `confidence` is below the model's triage threshold: the message should go to a
    /// person (the triage queue) rather than straight to `label`.
    public var needsTriage: Bool
    /// The best labels, most likely first (`label` included), at most three.
    public var candidates: [Candidate]

    public init(label: String, confidence: Double, needsTriage: Bool, candidates: [Candidate]) {
        self.label = label
        self.confidence = confidence
        self.needsTriage = needsTriage
        self.candidates = candidates
    }
}
