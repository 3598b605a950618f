import Foundation
import RapportCore
import SQLKit

/// A trained content model as stored: its encoded bytes and what training reported.
public struct StoredClassifierModel: Sendable {
    public var version: Int64
    public var encoded: [UInt8]
    public var summary: JSONValue
    public var createdAt: Timestamp

    public var json: JSONValue {
        ["version": .integer(version), "summary": summary, "created_at": .string(createdAt.rfc3339),
         "bytes": .integer(Int64(encoded.count))]
    }
}

extension SQLRoutingStore {
    /// Saves a newly trained model as the next version.
    public func saveClassifierModel(encoded: [UInt8], summary: JSONValue, actor: Actor,
                                    in tx: WriteTransaction) async throws -> StoredClassifierModel {
        let head = try await tx.firstRow("SELECT COALESCE(MAX(version), 0) AS v FROM classifier_models")?.int64("v") ?? 0
        let stored = StoredClassifierModel(version: head + 1, encoded: encoded, summary: summary, createdAt: tx.now())
        try await tx.execute("""
            INSERT INTO classifier_models (version, model, summary, created_at)
            VALUES (\(bind: stored.version), \(bind: Data(encoded).base64EncodedString()), \(bind: summary.jsonString),
                \(bind: stored.createdAt.microseconds))
            """)
        tx.append(.change("classifier_model", "trained", subject: "classifier_model", record: ["version": .integer(stored.version), "summary": summary],
                       changedFields: ["model"], actor: actor))
        return stored
    }
}

extension SQLRoutingStore {
    /// The newest trained model, if any.
    public func latestClassifierModel() async throws -> StoredClassifierModel? {
        try await read { database in
            guard let row = try await database.raw("SELECT * FROM classifier_models ORDER BY version DESC LIMIT 1").first() else { return nil }
            return try ClassifierModelRows.decode(row)
        }
    }

    /// Every model's version and summary, newest first (without the model bytes).
    public func classifierModelVersions() async throws -> [JSONValue] {
        try await read { database in
            try await database.raw("SELECT version, summary, created_at FROM classifier_models ORDER BY version DESC").all().map { row in
                ["version": .integer(try row.int64("version")), "summary": (try? JSONParser.parse(try row.string("summary"))) ?? .null,
                 "created_at": .string(try row.timestamp("created_at").rfc3339)]
            }
        }
    }

    /// Labelled history for training: the first inbound message of each resolved conversation
    /// with the key of the department that finally handled it (and `/queue` when it had one).
    public func labelledConversations(limit: Int) async throws -> [(text: String, label: String)] {
        try await read { database in
            let rows = try await database.raw("""
                SELECT c.id, d.key AS department, q.key AS queue,
                    (SELECT i.subject FROM interactions i JOIN conversation_interactions ci ON ci.interaction_id = i.id
                     WHERE ci.conversation_id = c.id AND i.direction = 'inbound' ORDER BY i.occurred_at, i.id LIMIT 1) AS subject,
                    (SELECT i.body FROM interactions i JOIN conversation_interactions ci ON ci.interaction_id = i.id
                     WHERE ci.conversation_id = c.id AND i.direction = 'inbound' ORDER BY i.occurred_at, i.id LIMIT 1) AS body
                FROM conversations c JOIN departments d ON d.id = c.department_id LEFT JOIN queues q ON q.id = c.queue_id
                WHERE c.status = 'resolved' AND c.suppressed IS NULL ORDER BY c.id DESC LIMIT \(bind: limit)
                """).all()
            return try rows.compactMap { row in
                let text = [try row.optionalString("subject"), try row.optionalString("body")].compactMap { $0 }.joined(separator: "\n")
                guard !text.isEmpty else { return nil }
                let department = try row.string("department")
                let label = try row.optionalString("queue").map { "\(department)/\($0)" } ?? department
                return (text, label)
            }
        }
    }
}

enum ClassifierModelRows {
    static func decode(_ row: any SQLRow) throws -> StoredClassifierModel {
        guard let bytes = Data(base64Encoded: try row.string("model")) else {
            throw StoreError(.unavailable, "stored classifier model \(try row.int64("version")) is not readable")
        }
        return StoredClassifierModel(version: try row.int64("version"), encoded: [UInt8](bytes),
                                     summary: (try? JSONParser.parse(try row.string("summary"))) ?? .null,
                                     createdAt: try row.timestamp("created_at"))
    }
}
