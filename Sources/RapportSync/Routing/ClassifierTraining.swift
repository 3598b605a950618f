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
        let model: TextClassifier = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                do throws(ClassifierError) {
                    continuation.resume(returning: try TextClassifier.train(data))
                } catch {
                    continuation.resume(throwing: StoreError(.invalidReference, error.message, field: examples == nil ? "history" : "examples"))
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let summary: JSONValue = [
            "source": .string(source), "examples": .integer(Int64(data.count)), "labels": .array(model.labels.map(JSONValue.string)),
            "features": .integer(Int64(model.featureCount)), "training_seconds": .double(seconds),
        ]
        let encoded = model.encoded()
        return try await writer.write { tx in try await routing.saveClassifierModel(encoded: encoded, summary: summary, actor: actor, in: tx) }
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
