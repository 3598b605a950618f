import RapportCore
import SQLKit

/// A routing decision to be recorded: why a conversation was routed as it was.
public struct RoutingDecisionRow: Sendable {
    public var id: String
    public var conversationID: String
    public var interactionID: String?
    public var trigger: RoutingTrigger
    public var eventSequence: Int64?
    public var decision: JSONValue

    public init(id: String, conversationID: String, interactionID: String?, trigger: RoutingTrigger, eventSequence: Int64?,
                decision: JSONValue) {
        self.id = id
        self.conversationID = conversationID
        self.interactionID = interactionID
        self.trigger = trigger
        self.eventSequence = eventSequence
        self.decision = decision
    }
}

/// Statements for a whole batch of routed events at once: every statement the writer runs costs
/// a round trip to the database thread, and a routing transaction holds the shared writer.
extension SQLConversationStore {
    /// The conversations these interactions were threaded into, by interaction id, read in one
    /// statement (locked on PostgreSQL, so nothing changes them before this transaction ends).
    public func linkedConversations(among ids: [String], in tx: WriteTransaction) async throws -> [String: Conversation] {
        guard !ids.isEmpty else { return [:] }
        let lock: SQLQueryString = flavor == .postgres ? " ORDER BY c.id FOR UPDATE OF c" : ""
        let rows = try await tx.rows("""
            SELECT ci.interaction_id AS linked_interaction_id, c.* FROM conversation_interactions ci
            JOIN conversations c ON c.id = ci.conversation_id WHERE ci.interaction_id IN (\(binds: StatementShape.padded(ids)))
            """ + lock)
        var linked: [String: Conversation] = [:]
        for row in rows { linked[try row.string("linked_interaction_id")] = try ConversationRows.decode(row) }
        return linked
    }

    /// The interaction that opened a conversation (its first), read in this transaction.
    public func openingInteraction(ofConversation id: String, in tx: WriteTransaction) async throws -> Interaction? {
        try await tx.firstRow("""
            SELECT i.* FROM conversation_interactions ci JOIN interactions i ON i.id = ci.interaction_id
            WHERE ci.conversation_id = \(bind: id) ORDER BY i.created_at, i.id LIMIT 1
            """).map(InteractionRows.decode)
    }

    /// Customers as the API shows them, by id (the missing and the deleted left out).
    public func customerRecords(_ ids: [String], in tx: WriteTransaction) async throws -> [String: JSONValue] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let rows = try await tx.rows("SELECT * FROM customers WHERE id IN (\(binds: StatementShape.padded(unique))) AND deleted_at IS NULL")
        let customers = try await CustomerRows.hydrate(rows, on: tx.database)
        return Dictionary(customers.map { ($0.id, $0.json) }, uniquingKeysWith: { first, _ in first })
    }

    /// Records that interactions belong to conversations; call after saving the conversations.
    public func link(_ links: [(interactionID: String, conversationID: String)], in tx: WriteTransaction) async throws {
        guard !links.isEmpty else { return }
        let time = tx.now().microseconds
        var insert = RowsInsert(into: "conversation_interactions", columns: ["interaction_id", "conversation_id", "created_at"],
                                reservingRows: links.count)
        for link in links { insert.append(link.interactionID, link.conversationID, time) }
        tx.markWritten()
        try await insert.run(on: tx.database)
    }

    /// Records routing decisions; call after saving their conversations.
    public func recordDecisions(_ decisions: [RoutingDecisionRow], in tx: WriteTransaction) async throws {
        guard !decisions.isEmpty else { return }
        let time = tx.now().microseconds
        var insert = RowsInsert(into: "routing_decisions", columns: [
            "id", "conversation_id", "interaction_id", "trigger", "event_sequence", "decision", "created_at",
        ], reservingRows: decisions.count)
        for row in decisions {
            insert.append(row.id, row.conversationID, row.interactionID, row.trigger.rawValue, row.eventSequence,
                          row.decision.jsonString, time)
        }
        tx.markWritten()
        try await insert.run(on: tx.database)
    }
}
