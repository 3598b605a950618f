import Dispatch
import Foundation
import RapportCore
import RapportStore

/// Trains a content model from examples or from the store's resolved conversations, away from
/// the server's request threads, and saves it as the next version.
public enum ClassifierTraining {
    /// Trains and stores a model; `examples` nil reads labelled history from the store.
    public static func train(routing: any RoutingStore, writer: any TransactionWriter, examples: [LabelledText]?, historyLimit: Int, actor: Actor) async throws -> StoredClassifierModel {
        let source = examples == nil ? "history" : "request"
        let data: [LabelledText]
        if let examples {
            data = examples
        } else {
            data = try await routing.labelledConversations(limit: historyLimit).map { LabelledText(text: $0.text, label: $0.label) }
        }
        let started = ContinuousClock.now
        // Training is seconds of CPU: on a dispatch thread, so request handling keeps its threads.
        let (model, heldOut): (TextClassifier, ClassifierEvaluation?) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                do throws(ClassifierError) {
                    continuation.resume(returning: try TextClassifier.trainEvaluated(data))
                } catch {
                    continuation.resume(throwing: StoreError(.invalidReference, error.message, field: examples == nil ? "history" : "examples"))
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var summary: JSONObject = [
            "source": .string(source), "examples": .integer(Int64(data.count)), "labels": .array(model.labels.map(JSONValue.string)),
            "features": .integer(Int64(model.featureCount)), "training_seconds": .double(seconds),
        ]
        if let heldOut { summary["held_out"] = heldOutSummary(heldOut) }
        let described = JSONValue.object(summary)
        let encoded = model.encoded()
        return try await writer.write { tx in
            try await routing.saveClassifierModel(encoded: encoded, summary: described, actor: actor, in: tx)
        }
    }

    /// The held-out evaluation as the model's summary shows it: accuracy over every held-out
    /// message, the share routed without triage and their accuracy, and each label's precision
    /// and recall.
    static func heldOutSummary(_ evaluation: ClassifierEvaluation) -> JSONValue {
        [
            "examples": .integer(Int64(evaluation.count)),
            "accuracy": .double(evaluation.accuracy),
            "threshold": .double(evaluation.threshold),
            "coverage": .double(evaluation.coverage),
            "confident_accuracy": .double(evaluation.confidentAccuracy),
            "labels": .array(evaluation.labels.map { quality in
                ["label": .string(quality.label), "support": .integer(Int64(quality.support)),
                 "precision": .double(quality.precision), "recall": .double(quality.recall)]
            }),
        ]
    }

    /// The newest stored model, decoded, with its version.
    public static func latest(in routing: any RoutingStore) async throws -> VersionedClassifier? {
        guard let stored = try await routing.latestClassifierModel() else { return nil }
        do throws(ClassifierError) {
            return VersionedClassifier(model: try TextClassifier(encoded: stored.encoded), version: stored.version)
        } catch {
            throw StoreError(.unavailable, "classifier model \(stored.version) cannot be read: \(error.message)")
        }
    }
}
