/// A content model that routes messages to a department or intent: a linear support vector
/// machine per label over TF-IDF weighted word and character n-grams, trained in process from
/// labelled history, with calibrated confidence. Immutable once trained; store it with `encoded()`.
public struct TextClassifier: Sendable {
    /// The labels the model chooses between, sorted.
    public let labels: [String]
    /// The options the model was trained with; the triage threshold applies to predictions.
    public let options: ClassifierOptions
    /// Softmax temperature fitted on held-out messages (see `ConfidenceCalibration`).
    public let temperature: Double
    /// Messages the final model was trained on.
    public let exampleCount: Int
    let features: FeatureWeighting
    /// One row of `labels.count` weights per feature column, so a feature's weights are adjacent.
    let weights: [Float]
    let biases: [Float]

    init(labels: [String], options: ClassifierOptions, temperature: Double, exampleCount: Int, features: FeatureWeighting,
         weights: [Float], biases: [Float]) {
        self.labels = labels
        self.options = options
        self.temperature = temperature
        self.exampleCount = exampleCount
        self.features = features
        self.weights = weights
        self.biases = biases
    }

    /// Number of n-gram features the model knows.
    public var featureCount: Int { features.vocabulary.count }

    /// The decision score of every label for `text`, written into `scores`.
    func scores(_ text: String, scratch: inout FeatureWeighting.Scratch, indices: inout [Int32], values: inout [Float],
                scores: inout [Float]) {
        features.encode(text, scratch: &scratch, indices: &indices, values: &values)
        scores.removeAll(keepingCapacity: true)
        scores.append(contentsOf: biases)
        let labelCount = labels.count
        weights.withUnsafeBufferPointer { weights in
            scores.withUnsafeMutableBufferPointer { scores in
                for (column, value) in zip(indices, values) {
                    let row = Int(column) * labelCount
                    for label in 0..<labelCount {
                        scores[label] += value * weights[row + label]
                    }
                }
            }
        }
    }

    /// Where `text` should go, with the calibrated confidence and the runners-up.
    public func predict(_ text: String) -> ClassifierPrediction {
        var predictor = Predictor(classifier: self)
        return predictor.predict(text)
    }

    /// Predictions for many messages, spread over every core, in the order of `texts`.
    public func predict(_ texts: [String]) -> [ClassifierPrediction] {
        let pieces = min(texts.count, ParallelWork.pieceCount)
        let chunk = pieces == 0 ? 0 : (texts.count + pieces - 1) / pieces
        let classifier = self
        return ParallelWork.map(pieces) { piece in
            var predictor = Predictor(classifier: classifier)
            let range = (piece * chunk)..<min(texts.count, (piece + 1) * chunk)
            return range.map { predictor.predict(texts[$0]) }
        }.flatMap { $0 }
    }

    /// Predicts one message after another with reused buffers; one per thread.
    struct Predictor {
        let classifier: TextClassifier
        var scratch = FeatureWeighting.Scratch()
        var indices: [Int32] = []
        var values: [Float] = []
        var scores: [Float] = []
        var probabilities: [Double] = []

        init(classifier: TextClassifier) {
            self.classifier = classifier
            indices.reserveCapacity(512)
            values.reserveCapacity(512)
            scores.reserveCapacity(classifier.labels.count)
            probabilities.reserveCapacity(classifier.labels.count)
        }

        mutating func predict(_ text: String) -> ClassifierPrediction {
            classifier.scores(text, scratch: &scratch, indices: &indices, values: &values, scores: &scores)
            scores.withUnsafeBufferPointer { scores in
                ConfidenceCalibration.probabilities(scores, temperature: classifier.temperature, into: &probabilities)
            }
            // The three best by a partial selection; ties go to the earlier (alphabetically first) label.
            var best: [Int] = []
            for label in probabilities.indices {
                var position = best.count
                while position > 0, probabilities[best[position - 1]] < probabilities[label] { position -= 1 }
                if position < 3 {
                    best.insert(label, at: position)
                    if best.count > 3 { best.removeLast() }
                }
            }
            let candidates = best.map { ClassifierPrediction.Candidate(label: classifier.labels[$0], confidence: probabilities[$0]) }
            let top = candidates[0]
            return ClassifierPrediction(label: top.label, confidence: top.confidence,
                                        needsTriage: top.confidence < classifier.options.triageThreshold, candidates: candidates)
        }
    }
}
