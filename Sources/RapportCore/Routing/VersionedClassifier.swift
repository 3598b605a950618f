/// A trained content model with the version it is stored under, as routing uses it.
public struct VersionedClassifier: ContentPredicting {
    public let model: TextClassifier
    public let version: Int64

    public init(model: TextClassifier, version: Int64) {
        self.model = model
        self.version = version
    }

    /// The most likely label with its calibrated confidence, and up to three runners-up.
    public func predict(_ text: String) -> RoutingPrediction {
        let prediction = model.predict(text)
        let alternatives = prediction.candidates.filter { $0.label != prediction.label }.prefix(3).map { (label: $0.label, confidence: $0.confidence) }
        return RoutingPrediction(label: prediction.label, confidence: prediction.confidence, modelVersion: version,
                                 alternatives: Array(alternatives))
    }
}

/// Validated body of `POST /v1/classifier/train`.
public struct ClassifierTrainingRequest: Sendable {
    /// Examples given in the request; nil trains from the store's resolved conversations.
    public var examples: [LabelledText]?
    /// At most this many resolved conversations are read when training from history.
    public var historyLimit: Int

    public static let maxExamples = 200_000

    public static func read(_ value: JSONValue?) throws(ValidationFailure) -> ClassifierTrainingRequest {
        guard let value else { return ClassifierTrainingRequest(examples: nil, historyLimit: 100_000) }
        var reader = try InputReader(value)
        var examples: [LabelledText]?
        if let raw = reader.value("examples") {
            if case .array(let items) = raw, items.count <= maxExamples {
                var read: [LabelledText] = []
                for (index, item) in items.enumerated() {
                    guard let text = item.objectValue?["text"]?.stringValue, !text.trimmingWhitespace().isEmpty else {
                        reader.fail("examples[\(index)].text", "expected a non-empty string")
                        continue
                    }
                    guard let label = item.objectValue?["label"]?.stringValue, !label.isEmpty, label.unicodeScalars.count <= 200 else {
                        reader.fail("examples[\(index)].label", "expected a non-empty string of at most 200 characters")
                        continue
                    }
                    read.append(LabelledText(text: text, label: label))
                }
                examples = read
            } else {
                reader.fail("examples", "expected an array of at most \(maxExamples) {\"text\", \"label\"} objects")
            }
        }
        var limit = 100_000
        if let number = reader.integer("history_limit", in: 1...Int64(maxExamples)) { limit = Int(number) }
        try reader.finish()
        return ClassifierTrainingRequest(examples: examples, historyLimit: limit)
    }
}
