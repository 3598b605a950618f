import RapportCore
import SQLKit

/// Threading at ingest: the interactions a transaction stores join or open their conversations in
/// that same transaction, so the API answers with an interaction that is already in its
/// conversation and the router finds the conversation waiting. One read and one write of
/// conversations per batch, however many interactions it holds.
extension SQLConversationStore {
    /// Threads `interactions` (stored in this transaction, arrival order) into conversations:
    /// reads the conversations they may join, places them (`ConversationThreader`), upserts what
    /// changed, links them, and appends `rapport.conversation.created` / `.updated` by
    /// `Actor.threading`. Interactions that are not conversation are left alone.
    public func threadIngested(_ interactions: [Interaction], in tx: WriteTransaction) async throws {
        let conversational = interactions.filter { ConversationThreading.conversationalKinds.contains($0.kind) }
        guard !conversational.isEmpty else { return }
        let settings = try await SettingsRows.document(SettingKeys.routing, on: tx.database)
            .flatMap { try? RoutingSettings.read($0) } ?? RoutingSettings()
        let threader = ConversationThreader(threading: settings.threading)
        let candidates = try await threadingCandidates(conversational, window: settings.threading.window, in: tx)
        let outcome = threader.thread(conversational, candidates: candidates, at: tx.now(), newID: { tx.newID("cnv") })
        guard !outcome.links.isEmpty else { return }
        // A message joining an open conversation changes only its count and times: those rows
        // are updated without assigning the status columns, so the indexes on status (by
        // department, queue and assignee) are not rewritten for every message.
        let joins = outcome.touched.filter(ConversationRows.onlyCountAndTimesChanged)
        let others = outcome.touched.filter { !ConversationRows.onlyCountAndTimesChanged($0) }
        for (rows, statusToo) in [(others, true), (joins, false)] {
            for chunk in stride(from: 0, to: rows.count, by: 100) {
                try await ConversationRows.upsertThreaded(rows[chunk..<min(chunk + 100, rows.count)], statusToo: statusToo, on: tx.database)
            }
        }
        tx.markWritten()
        for chunk in stride(from: 0, to: outcome.links.count, by: 300) {
            try await link(outcome.links[chunk..<min(chunk + 300, outcome.links.count)].map { ($0.interactionID, $0.conversationID) }, in: tx)
        }
        let threaded = tx.batchState(ThreadedAtIngest.key) { ThreadedAtIngest() }
        let byID = Dictionary(outcome.touched.map { ($0.conversation.id, $0.conversation) }, uniquingKeysWith: { _, last in last })
        for link in outcome.links {
            threaded.conversations[link.interactionID] = byID[link.conversationID]
        }
        for touched in outcome.touched {
            let conversation = touched.conversation
            // A reopened conversation counts against its assignee again: read their load afresh.
            if let user = conversation.assigneeID, AgentLoads.counts(conversation), touched.previous.map(AgentLoads.counts) != true {
                tx.agentLoads.forget(user)
            }
            if let previous = touched.previous {
                var changed = ConversationRows.changedFields(from: previous, to: conversation)
                changed.append("interaction_count")
                tx.append(.change("conversation", "updated", subject: conversation.customerID, record: conversation.json,
                                  changedFields: changed, actor: .threading, channelID: conversation.channelID))
            } else {
                tx.append(.change("conversation", "created", subject: conversation.customerID, record: conversation.json,
                                  changedFields: [], actor: .threading, channelID: conversation.channelID))
            }
        }
    }

    /// The conversations this transaction's ingest threaded its interactions into, by interaction
    /// id, as threading left them (empty before threading ran).
    public func threadedAtIngest(in tx: WriteTransaction) -> [String: Conversation] {
        tx.batchState(ThreadedAtIngest.key) { ThreadedAtIngest() }.conversations
    }

    /// The stored conversations `interactions` may join: those with the same thread key on the
    /// same channel, and the active unkeyed ones of the same customer and channel whose last
    /// contact is recent enough for the earliest of them. Locked on PostgreSQL, in id order.
    private func threadingCandidates(_ interactions: [Interaction], window: Duration,
                                     in tx: WriteTransaction) async throws -> [Conversation] {
        let lock: SQLQueryString = flavor == .postgres ? " ORDER BY c.id FOR UPDATE OF c" : ""
        var found: [Conversation] = []
        var keyed: Set<[String]> = []
        var parties: Set<[String]> = []
        var earliest = Int64.max
        for interaction in interactions {
            if let key = ConversationThreading.threadKey(of: interaction) {
                keyed.insert([interaction.channelID, key])
            } else {
                parties.insert([interaction.customerID, interaction.channelID])
                earliest = min(earliest, interaction.occurredAt.microseconds)
            }
        }
        let keyedList = Array(keyed)
        for chunk in stride(from: 0, to: keyedList.count, by: 400) {
            let part = keyedList[chunk..<min(chunk + 400, keyedList.count)].map { (channelID: $0[0], threadKey: $0[1]) }
            found += try await tx.rows(Self.keyedCandidatesQuery(StatementShape.padded(part)) + lock).map(ConversationRows.decode)
        }
        let since = earliest == .max ? 0 : earliest - window.nanoseconds / 1_000
        let partyList = Array(parties)
        for chunk in stride(from: 0, to: partyList.count, by: 400) {
            let part = partyList[chunk..<min(chunk + 400, partyList.count)].map { (customerID: $0[0], channelID: $0[1]) }
            found += try await tx.rows(Self.recentCandidatesQuery(StatementShape.padded(part), since: since) + lock).map(ConversationRows.decode)
        }
        // A pair asked twice (the lists are padded) finds its conversations twice.
        var seen: Set<String> = []
        return found.filter { seen.insert($0.id).inserted }
    }
}

extension SQLConversationStore {
    // Joins with the wanted pairs probe an index per pair (`BatchLookupPlanTests` holds them to that).

    /// Conversations with these thread keys on these channels.
    static func keyedCandidatesQuery(_ keys: [(channelID: String, threadKey: String)]) -> SQLQueryString {
        let pairs: [SQLQueryString] = keys.map { "(\(bind: $0.channelID), \(bind: $0.threadKey))" }
        return "WITH wanted (channel_id, thread_key) AS (VALUES " + pairs.joined(separator: ", ")
            + ") SELECT c.* FROM wanted JOIN conversations c ON c.channel_id = wanted.channel_id AND c.thread_key = wanted.thread_key"
    }

    /// The active unkeyed conversations of these customers on these channels, with contact since `since` (µs).
    static func recentCandidatesQuery(_ parties: [(customerID: String, channelID: String)], since: Int64) -> SQLQueryString {
        let pairs: [SQLQueryString] = parties.map { "(\(bind: $0.customerID), \(bind: $0.channelID))" }
        return "WITH wanted (customer_id, channel_id) AS (VALUES " + pairs.joined(separator: ", ")
            + ") SELECT c.* FROM wanted JOIN conversations c ON c.customer_id = wanted.customer_id AND c.channel_id = wanted.channel_id"
            + " WHERE c.thread_key IS NULL AND c.status <> 'resolved' AND c.last_interaction_at >= \(bind: since)"
    }
}

extension ConversationRows {
    /// Whether threading changed only a conversation's count and times (a message joining it
    /// while it is open), not its status, snooze or resolution.
    static func onlyCountAndTimesChanged(_ touched: ConversationThreader.Touched) -> Bool {
        guard let previous = touched.previous else { return false }
        let conversation = touched.conversation
        return previous.status == conversation.status && previous.snoozedUntil == conversation.snoozedUntil
            && previous.resolvedAt == conversation.resolvedAt
    }

    /// Inserts the conversations threading opened and updates those it joined, in one statement:
    /// a join changes only what threading changes (count, last contact, and with `statusToo` the
    /// status and what goes with it), never routing's fields, so it cannot undo a routing change
    /// made meanwhile elsewhere.
    static func upsertThreaded(_ touched: ArraySlice<ConversationThreader.Touched>, statusToo: Bool,
                               on database: any SQLDatabase) async throws {
        let status = statusToo ? "status = excluded.status, snoozed_until = excluded.snoozed_until, resolved_at = excluded.resolved_at, " : ""
        var insert = RowsInsert(into: "conversations", columns: [
            "id", "customer_id", "channel_id", "thread_key", "subject", "status", "department_id", "queue_id", "assignee_id",
            "priority", "tags", "suppressed", "skills", "weight", "interaction_count", "last_interaction_at", "snoozed_until",
            "created_at", "updated_at", "resolved_at",
        ], suffix: """
            ON CONFLICT (id) DO UPDATE SET \(status)interaction_count = excluded.interaction_count,
                last_interaction_at = excluded.last_interaction_at, updated_at = excluded.updated_at
            """, reservingRows: touched.count)
        for item in touched {
            let conversation = item.conversation
            // A conversation threading opens has no queue yet, so it weighs 1 (see conversationWeight).
            insert.append(conversation.id, conversation.customerID, conversation.channelID, conversation.threadKey,
                          conversation.subject, conversation.status.rawValue, conversation.departmentID,
                          conversation.queueID, conversation.assigneeID, conversation.priority.rawValue,
                          conversation.tags.jsonText, conversation.suppressed?.rawValue, conversation.skills.jsonText,
                          1.0, conversation.interactionCount, conversation.lastInteractionAt.microseconds,
                          conversation.snoozedUntil?.microseconds, conversation.createdAt.microseconds,
                          conversation.updatedAt.microseconds, conversation.resolvedAt?.microseconds)
        }
        try await insert.run(on: database)
    }
}

/// What threading at ingest did in a transaction, for what runs after it there (routing at ingest).
final class ThreadedAtIngest {
    static let key = "conversations.threaded"
    /// Interaction id → its conversation as threading left it.
    var conversations: [String: Conversation] = [:]
}
