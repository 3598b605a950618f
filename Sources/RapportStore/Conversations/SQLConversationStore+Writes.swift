import RapportCore
import SQLKit

/// An interaction placed in its conversation, before routing changes the conversation.
public struct ThreadedInteraction: Sendable {
    public var conversation: Conversation
    /// The conversation as it was before this interaction; nil when the interaction opened it.
    public var previous: Conversation?
    public var created: Bool { previous == nil }
}

extension SQLConversationStore {
    /// Places a stored interaction that is in no conversation (one stored before threading moved
    /// into ingest) in its conversation (joining one or opening one); the caller saves the conversation and then
    /// `link`s them. A new inbound message reopens a pending, snoozed or resolved conversation.
    /// Nil for interactions that are not conversation (page views, purchases, notes).
    public func thread(_ interaction: Interaction, threading: ConversationThreading,
                       in tx: WriteTransaction) async throws -> ThreadedInteraction? {
        var candidates: [Conversation] = []
        if let key = ConversationThreading.threadKey(of: interaction) {
            candidates = try await tx.rows("""
                SELECT * FROM conversations WHERE channel_id = \(bind: interaction.channelID) AND thread_key = \(bind: key)
                AND customer_id = \(bind: interaction.customerID) ORDER BY created_at DESC LIMIT 1
                """).map(ConversationRows.decode)
        } else {
            candidates = try await tx.rows("""
                SELECT * FROM conversations WHERE customer_id = \(bind: interaction.customerID) AND channel_id = \(bind: interaction.channelID)
                AND thread_key IS NULL AND status <> 'resolved' ORDER BY last_interaction_at DESC LIMIT 1
                """).map(ConversationRows.decode)
        }
        let now = tx.now()
        var result: ThreadedInteraction
        switch threading.place(interaction, candidates: candidates) {
        case .none:
            return nil
        case .join(let id):
            guard let found = candidates.first(where: { $0.id == id }) else { return nil }
            result = ThreadedInteraction(conversation: ConversationThreading.joining(interaction, to: found, at: now), previous: found)
        case .open(let threadKey):
            let conversation = ConversationThreading.opening(id: tx.newID("cnv"), by: interaction, threadKey: threadKey, at: now)
            result = ThreadedInteraction(conversation: conversation, previous: nil)
        }
        return result
    }

    /// Stores a conversation (inserting it when `previous` is nil) and appends its event, listing
    /// the fields that changed. Nothing is written when nothing changed.
    public func saveConversation(_ conversation: Conversation, previous: Conversation?, actor: Actor,
                                 directory: RoutingDirectory? = nil, in tx: WriteTransaction) async throws {
        var queue: ConversationQueue?
        if let queueID = conversation.queueID { queue = try await store.routing.queue(id: queueID, directory: directory, in: tx) }
        let weight = try await store.routing.conversationWeight(channelID: conversation.channelID, queue: queue, directory: directory, in: tx)
        if tx.agentLoads.knowsLoads, AgentLoads.counts(conversation) || previous.map(AgentLoads.counts) == true {
            var previousWeight = weight
            if let previous, previous.queueID != conversation.queueID || previous.channelID != conversation.channelID {
                var previousQueue: ConversationQueue?
                if let queueID = previous.queueID { previousQueue = try await store.routing.queue(id: queueID, directory: directory, in: tx) }
                previousWeight = try await store.routing.conversationWeight(channelID: previous.channelID, queue: previousQueue,
                                                                            directory: directory, in: tx)
            }
            tx.agentLoads.saved(conversation, weight: weight, replacing: previous, previousWeight: previousWeight)
        }
        guard let previous else {
            try await ConversationRows.insert(conversation, weight: weight, on: tx.database)
            tx.append(.change("conversation", "created", subject: conversation.customerID, record: conversation.json,
                           changedFields: [], actor: actor, channelID: conversation.channelID))
            return
        }
        var changed = ConversationRows.changedFields(from: previous, to: conversation)
        if previous.interactionCount != conversation.interactionCount { changed.append("interaction_count") }
        guard !changed.isEmpty else { return }
        try await ConversationRows.update(conversation, weight: weight, on: tx.database)
        tx.append(.change("conversation", "updated", subject: conversation.customerID, record: conversation.json,
                       changedFields: changed, actor: actor, channelID: conversation.channelID))
    }

    /// Applies a routing plan's actions to a conversation: department and queue (by id or key),
    /// priority, tags, skills, suppression, and the assignee (named, or by the queue's strategy
    /// when the conversation has none or changed queue). Returns what could not be applied.
    public func apply(_ actions: RoutingActions, to conversation: inout Conversation, directory: RoutingDirectory? = nil,
                      in tx: WriteTransaction) async throws -> [String] {
        var problems: [String] = []
        let before = conversation
        if let department = actions.department {
            if let id = try await store.routing.departmentID(for: department, directory: directory, in: tx) {
                if id != conversation.departmentID {
                    conversation.departmentID = id
                    conversation.queueID = nil
                }
            } else {
                problems.append("department \"\(department)\" does not exist")
            }
        }
        var queue: ConversationQueue?
        if let key = actions.queue {
            if let found = try await store.routing.queue(key, in: conversation.departmentID, directory: directory, in: tx),
               found.departmentID == conversation.departmentID {
                queue = found
                conversation.queueID = found.id
            } else {
                problems.append("queue \"\(key)\" does not exist in the conversation's department")
            }
        } else if let queueID = conversation.queueID {
            queue = try await store.routing.queue(id: queueID, directory: directory, in: tx)
        }
        if let priority = actions.priority { conversation.priority = priority }
        for tag in actions.tags where !conversation.tags.contains(tag) { conversation.tags.append(tag) }
        for skill in actions.skills where !conversation.skills.contains(skill) { conversation.skills.append(skill) }
        if let suppress = actions.suppress { conversation.suppressed = suppress }
        if let userID = actions.assignTo {
            if try await tx.firstRow("SELECT id FROM users WHERE id = \(bind: userID) AND active = 1") != nil {
                conversation.assigneeID = userID
            } else {
                problems.append("user \(userID) does not exist or is inactive")
            }
        } else if conversation.departmentID != before.departmentID || conversation.queueID != before.queueID {
            // Handed to another department or queue: whoever held it there no longer does.
            conversation.assigneeID = nil
        }
        if conversation.assigneeID == nil, conversation.suppressed == nil, conversation.isActive, let queue {
            try await store.routing.assign(&conversation, queue: queue, replacing: before, directory: directory, in: tx)
        }
        return problems
    }

    /// A person's change to a conversation: status, priority, tags, department, queue, assignee,
    /// suppression. A new department or queue without a named assignee lets the queue assign.
    public func updateConversation(id: String, changes: ConversationChanges, actor: Actor,
                                   in tx: WriteTransaction) async throws -> Conversation {
        guard let current = try await ConversationRows.find(id: id, forUpdate: true, flavor: flavor, on: tx.database) else {
            throw StoreError.notFound("conversation", id)
        }
        var next = current
        let now = tx.now()
        if let status = changes.status, status != current.status {
            next.status = status
            next.resolvedAt = status == .resolved ? now : nil
            if status != .snoozed { next.snoozedUntil = nil }
        }
        if let until = changes.snoozedUntil { next.snoozedUntil = until }
        if let priority = changes.priority { next.priority = priority }
        if let tags = changes.tags { next.tags = tags }
        for tag in changes.addTags where !next.tags.contains(tag) { next.tags.append(tag) }
        next.tags.removeAll { changes.removeTags.contains($0) }
        switch changes.suppressed {
        case .unchanged: break
        case .clear: next.suppressed = nil
        case .set(let reason): next.suppressed = reason
        }
        var queue: ConversationQueue?
        switch changes.department {
        case .unchanged: break
        case .clear:
            next.departmentID = nil
            next.queueID = nil
        case .set(let department):
            guard let departmentID = try await store.routing.departmentID(for: department, in: tx) else {
                throw StoreError(.invalidReference, "department \(department) does not exist", field: "department_id")
            }
            if departmentID != next.departmentID { next.queueID = nil }
            next.departmentID = departmentID
        }
        switch changes.queue {
        case .unchanged: break
        case .clear: next.queueID = nil
        case .set(let key):
            guard let found = try await store.routing.queue(key, in: next.departmentID, in: tx) else {
                throw StoreError(.invalidReference, "queue \(key) does not exist in the conversation's department", field: "queue_id")
            }
            if next.departmentID == nil { next.departmentID = found.departmentID }
            guard found.departmentID == next.departmentID else {
                throw StoreError(.invalidReference, "queue \(key) belongs to another department", field: "queue_id")
            }
            next.queueID = found.id
            queue = found
        }
        switch changes.assignee {
        case .unchanged:
            if next.departmentID != current.departmentID || next.queueID != current.queueID {
                next.assigneeID = nil
                if let queue, next.isActive, next.suppressed == nil { try await store.routing.assign(&next, queue: queue, replacing: current, in: tx) }
            }
        case .clear:
            next.assigneeID = nil
        case .set(let userID):
            guard try await tx.firstRow("SELECT id FROM users WHERE id = \(bind: userID) AND active = 1") != nil else {
                throw StoreError(.invalidReference, "user \(userID) does not exist or is inactive", field: "assignee_id")
            }
            next.assigneeID = userID
        }
        next.updatedAt = now
        try await saveConversation(next, previous: current, actor: actor, in: tx)
        // Work that left someone's hands makes room for what waits in their queues.
        if let freed = current.assigneeID, freed != next.assigneeID || (next.status == .resolved && current.status != .resolved) {
            let queues = try await tx.rows("SELECT queue_id FROM queue_members WHERE user_id = \(bind: freed)").map { try $0.string("queue_id") }
            try await store.routing.drain(queueIDs: queues, actor: actor, in: tx)
        }
        return next
    }
}

extension SQLConversationStore {
    /// A conversation read in this transaction, locked on PostgreSQL.
    public func conversationForUpdate(_ id: String, in tx: WriteTransaction) async throws -> Conversation? {
        try await ConversationRows.find(id: id, forUpdate: true, flavor: flavor, on: tx.database)
    }

    /// The active conversations of a customer.
    public func activeConversations(ofCustomer id: String, in tx: WriteTransaction) async throws -> [Conversation] {
        try await tx.rows("SELECT * FROM conversations WHERE customer_id = \(bind: id) AND status <> 'resolved' ORDER BY id")
            .map(ConversationRows.decode)
    }

    /// The interaction with this id, read in this transaction.
    public func interactionRecord(_ id: String, in tx: WriteTransaction) async throws -> Interaction? {
        try await tx.firstRow("SELECT * FROM interactions WHERE id = \(bind: id)").map(InteractionRows.decode)
    }

    /// Takes the consumer's turn for this transaction and reads its saved position; nil when
    /// another node holds the turn now (PostgreSQL: a transaction-scoped advisory lock, tried
    /// without waiting, so a busy node never blocks this writer's other work).
    public func claimTurn(of name: String, in tx: WriteTransaction) async throws -> Int64?? {
        if flavor == .postgres {
            let key = Int64(truncatingIfNeeded: name.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
            let row = try await tx.firstRow("SELECT pg_try_advisory_xact_lock(\(bind: key)) AS locked")
            guard try row?.decode(column: "locked", as: Bool.self) == true else { return nil }
        }
        return .some(try await tx.firstRow("SELECT position FROM consumer_positions WHERE name = \(bind: name)")?.int64("position"))
    }
}
