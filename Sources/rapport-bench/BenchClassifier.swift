import ArgumentParser
import Dispatch
import Foundation
import RapportCore

extension Bench {
    /// The content classifier on a labelled dataset (banking77 by default): training time,
    /// prediction rate on one and on every core, accuracy, and how the triage threshold splits
    /// right from wrong predictions. `scripts/bench/classifier_bench.py` runs it next to scikit-learn.
    struct Classifier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the content classifier: training time, prediction rate, accuracy, triage split.")

        @Option(help: "Training CSV with columns text,category.")
        var train = "../shared/datasets/banking77/train.csv"

        @Option(help: "Test CSV with columns text,category.")
        var test = "../shared/datasets/banking77/test.csv"

        @Option(help: "Passes over the test messages when timing prediction.")
        var passes = 5

        @Flag(help: "Also print the figures as one JSON line (for scripts/bench/classifier_bench.py).")
        var json = false

        func run() async throws {
            let trainSet = try Self.load(train), testSet = try Self.load(test)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            print("rapport-bench classifier: \(trainSet.count) training and \(testSet.count) test messages, \(cores) cores")

            let trainingStarted = Date()
            let classifier = try TextClassifier.train(trainSet)
            let trainingSeconds = Date().timeIntervalSince(trainingStarted)
            let options = classifier.options
            print(String(format: "training: %.2f s wall (%d labels, %d features, word %d-%d + char %d-%d n-grams, C %.1f, temperature %.3f)",
                         trainingSeconds, classifier.labels.count, classifier.featureCount, options.wordNGrams.lowerBound,
                         options.wordNGrams.upperBound, options.characterNGrams.lowerBound, options.characterNGrams.upperBound,
                         options.regularization, classifier.temperature))
            let encodeStarted = Date()
            let bytes = classifier.encoded()
            let restored = try TextClassifier(encoded: bytes)
            print(String(format: "stored model: %.1f MB, encoded and read back in %.2f s",
                         Double(bytes.count) / 1_048_576, Date().timeIntervalSince(encodeStarted)))

            let texts = testSet.map(\.text)
            let rounds = max(1, passes)
            var single = 0.0, singleCPU = 0.0
            var predictions: [ClassifierPrediction] = []
            for round in 0..<rounds {
                let wall = Date(), cpu = CPUTime.thread()
                let batch = texts.map { restored.predict($0) }
                single += Date().timeIntervalSince(wall)
                singleCPU += CPUTime.thread() - cpu
                if round == 0 { predictions = batch }
            }
            let allStarted = Date()
            for _ in 0..<rounds { _ = restored.predict(texts) }
            let all = Date().timeIntervalSince(allStarted)
            let messages = Double(texts.count * rounds)
            print(String(format: "prediction: %.0f messages/s on one thread (%.0f per CPU second of that thread), %.0f messages/s on %d cores",
                         messages / single, messages / singleCPU, messages / all, cores))

            let evaluation = ClassifierEvaluation(truth: testSet.map(\.label), predictions: predictions,
                                                  threshold: options.triageThreshold)
            print(String(format: "accuracy: %.4f (%d of %d)", evaluation.accuracy, evaluation.correct, evaluation.count))
            print(String(format: "confidence ≥ %.2f: %.1f%% of messages routed at accuracy %.4f; %.1f%% to triage, of which %.4f would have been right",
                         evaluation.threshold, evaluation.coverage * 100, evaluation.confidentAccuracy,
                         (1 - evaluation.coverage) * 100, evaluation.triageAccuracy))
            if json {
                let figures: [String: Double] = [
                    "train_seconds": trainingSeconds, "predict_per_second_1": messages / single,
                    "predict_per_cpu_second_1": messages / singleCPU, "predict_per_second_all": messages / all,
                    "cores": Double(cores), "accuracy": evaluation.accuracy, "threshold": evaluation.threshold,
                    "coverage": evaluation.coverage, "confident_accuracy": evaluation.confidentAccuracy,
                    "triage_accuracy": evaluation.triageAccuracy, "model_bytes": Double(bytes.count),
                ]
                let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
                print("JSON " + String(decoding: data, as: UTF8.self))
            }
        }

        static func load(_ path: String) throws -> [LabelledText] {
            let records = try CSVReader.records(String(contentsOfFile: path, encoding: .utf8))
            guard let header = records.first, let text = header.firstIndex(of: "text"),
                  let label = header.firstIndex(of: "category") ?? header.firstIndex(of: "label") else {
                throw ValidationError("\(path): expected a header with columns text and category (or label)")
            }
            return records.dropFirst().compactMap { record in
                record.count > max(text, label) ? LabelledText(text: record[text], label: record[label]) : nil
            }
        }
    }
}
