/// How well predictions match the labels messages were finally handled by, overall, above and
/// below the triage threshold, and per label.
public struct ClassifierEvaluation: Sendable, Hashable {
    /// Precision and recall of one label.
    public struct LabelQuality: Sendable, Hashable {
        public var label: String
        /// Messages that truly carry the label.
        public var support: Int
        /// Share of messages predicted as the label that carry it (1 when none was predicted).
        public var precision: Double
        /// Share of messages carrying the label that were predicted as it (1 when there were none).
        public var recall: Double
    }

    /// Messages evaluated.
    public var count: Int
    /// Messages whose predicted label was the true one.
    public var correct: Int
    /// The confidence below which a prediction goes to triage.
    public var threshold: Double
    /// Messages predicted at or above the threshold (routed automatically).
    public var confidentCount: Int
    /// Of those, the ones routed to the right label.
    public var confidentCorrect: Int
    /// Quality per label, in label order.
    public var labels: [LabelQuality]

    /// Share of messages predicted correctly.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
    /// Share of messages routed automatically (not sent to triage).
    public var coverage: Double { count == 0 ? 0 : Double(confidentCount) / Double(count) }
    /// Accuracy of the automatically routed messages.
    public var confidentAccuracy: Double { confidentCount == 0 ? 0 : Double(confidentCorrect) / Double(confidentCount) }
    /// Accuracy the model would have had on the messages sent to triage.
    public var triageAccuracy: Double {
        let count = self.count - confidentCount
        return count == 0 ? 0 : Double(correct - confidentCorrect) / Double(count)
    }

    /// Compares predictions with true labels, position by position (extra entries of the longer
    /// list are ignored). A prediction is confident when its confidence is at least `threshold`.
    public init(truth: [String], predictions: [ClassifierPrediction], threshold: Double) {
        let count = min(truth.count, predictions.count)
        var correct = 0, confidentCount = 0, confidentCorrect = 0
        var truePositives: [String: Int] = [:], predicted: [String: Int] = [:], actual: [String: Int] = [:]
        for position in 0..<count {
            let label = truth[position], prediction = predictions[position]
            let right = prediction.label == label
            actual[label, default: 0] += 1
            predicted[prediction.label, default: 0] += 1
            if right {
                correct += 1
                truePositives[label, default: 0] += 1
            }
            if prediction.confidence >= threshold {
                confidentCount += 1
                if right { confidentCorrect += 1 }
            }
        }
        self.count = count
        self.correct = correct
        self.threshold = threshold
        self.confidentCount = confidentCount
        self.confidentCorrect = confidentCorrect
        labels = Set(actual.keys).union(predicted.keys).sorted().map { label in
            let hits = Double(truePositives[label] ?? 0)
            let predictedCount = predicted[label] ?? 0, support = actual[label] ?? 0
            return LabelQuality(label: label, support: support,
                                precision: predictedCount == 0 ? 1 : hits / Double(predictedCount),
                                recall: support == 0 ? 1 : hits / Double(support))
        }
    }
}

extension TextClassifier {
    /// Predicts every example (on all cores) and compares with its label, at the model's triage threshold.
    public func evaluate(_ examples: [LabelledText]) -> ClassifierEvaluation {
        ClassifierEvaluation(truth: examples.map(\.label), predictions: predict(examples.map(\.text)),
                             threshold: options.triageThreshold)
    }
}
