import RapportCore
import SQLKit

extension SQLRoutingStore {
    /// Changes a user's availability. Going offline hands their active conversations back to their
    /// queues, which give them to others; coming online (or gaining capacity) lets their queues
    /// give them waiting conversations.
    public func setAgentState(userID: String, changes: AgentStateChanges, actor: Actor,
                              in tx: WriteTransaction) async throws -> AgentState {
        guard try await tx.firstRow("SELECT id FROM users WHERE id = \(bind: userID)") != nil else { throw StoreError.notFound("user", userID) }
        let current = try await AgentRows.find(userID: userID, on: tx.database) ?? AgentState(userID: userID, updatedAt: tx.now())
        var next = current
        if let status = changes.status { next.status = status }
        if let capacity = changes.capacity { next.capacity = capacity }
        if let skills = changes.skills { next.skills = skills }
        next.updatedAt = tx.now()
        try await tx.execute("DELETE FROM agent_states WHERE user_id = \(bind: userID)")
        try await tx.execute("""
            INSERT INTO agent_states (user_id, status, capacity, skills, updated_at)
            VALUES (\(bind: userID), \(bind: next.status.rawValue), \(bind: next.capacity), \(bind: next.skills.jsonText), \(bind: next.updatedAt.microseconds))
            """)
        tx.append(.change("agent", "updated", subject: userID, record: next.json, changedFields: [], actor: actor))
        tx.agentLoads.forget(userID)
        if next.status == .offline, current.status != .offline {
            try await handBack(from: userID, actor: actor, in: tx)
        }
        if next.status == .online {
            let queues = try await tx.rows("SELECT queue_id FROM queue_members WHERE user_id = \(bind: userID)").map { try $0.string("queue_id") }
            try await drain(queueIDs: queues, actor: actor, in: tx)
        }
        return next
    }

    /// Unassigns every active conversation of `userID` and lets each one's queue assign it again.
    func handBack(from userID: String, actor: Actor, in tx: WriteTransaction) async throws {
        let held = try await tx.rows("""
            SELECT * FROM conversations WHERE assignee_id = \(bind: userID) AND status <> 'resolved' ORDER BY id
            """).map(ConversationRows.decode)
        for conversation in held {
            var next = conversation
            next.assigneeID = nil
            if let queueID = conversation.queueID, let queue = try await QueueRows.find(id: queueID, on: tx.database) {
                try await assign(&next, queue: queue, replacing: conversation, in: tx)
            }
            try await store.conversations.saveConversation(next, previous: conversation, actor: actor, in: tx)
        }
    }

    /// Gives the waiting conversations of these queues (unassigned, not resolved, not suppressed),
    /// most urgent and oldest first, to members with room.
    func drain(queueIDs: [String], actor: Actor, in tx: WriteTransaction) async throws {
        for queueID in queueIDs {
            guard let queue = try await QueueRows.find(id: queueID, on: tx.database), queue.strategy != .manual else { continue }
            let waiting = try await tx.rows("""
                SELECT * FROM conversations WHERE queue_id = \(bind: queueID) AND assignee_id IS NULL AND status IN ('open', 'pending')
                AND suppressed IS NULL ORDER BY created_at, id LIMIT 200
                """).map(ConversationRows.decode).sorted { ($1.priority, $0.createdAt) < ($0.priority, $1.createdAt) }
            for conversation in waiting {
                var next = conversation
                try await assign(&next, queue: queue, replacing: conversation, in: tx)
                guard next.assigneeID != nil else { break }
                try await store.conversations.saveConversation(next, previous: conversation, actor: actor, in: tx)
            }
        }
    }

    /// Sets the assignee the queue's strategy picks (or leaves it nil when nobody can take it).
    /// `stored` is the conversation as its row stands now: what it adds to its stored assignee's
    /// load does not count against them here, as it is the conversation being placed.
    ///
    /// Agents' availability and loads are read once per transaction (`WriteTransaction.agentLoads`)
    /// and kept true as it saves conversations, so a batch assigning into one queue reads them once.
    func assign(_ conversation: inout Conversation, queue: ConversationQueue, replacing stored: Conversation?,
                directory: RoutingDirectory? = nil, in tx: WriteTransaction) async throws {
        guard queue.strategy != .manual, !queue.memberIDs.isEmpty else { return }
        let weight = try await conversationWeight(channelID: conversation.channelID, queue: queue, directory: directory, in: tx)
        let book = tx.agentLoads
        let unknownStates = book.unknownStates(among: queue.memberIDs)
        if !unknownStates.isEmpty {
            let found = try await tx.rows("SELECT * FROM agent_states WHERE user_id IN (\(binds: unknownStates))").map(AgentRows.decode)
            book.remember(states: found, asked: unknownStates)
        }
        let online = queue.memberIDs.filter { book.state(of: $0)?.status == .online }
        let unknownLoads = book.unknownLoads(among: online)
        if !unknownLoads.isEmpty {
            var found: [String: AgentLoads.Load] = [:]
            for row in try await tx.rows("""
                SELECT assignee_id, COUNT(*) AS n, SUM(weight) AS w FROM conversations
                WHERE assignee_id IN (\(binds: unknownLoads)) AND status IN ('open', 'pending') GROUP BY assignee_id
                """) {
                found[try row.string("assignee_id")] = AgentLoads.Load(count: Int(try row.int64("n")), weight: try row.double("w"))
            }
            book.remember(loads: found, asked: unknownLoads)
        }
        // The conversation being placed does not count against whoever its row names.
        var excluded: (user: String, weight: Double)?
        if let stored, AgentLoads.counts(stored), let user = stored.assigneeID, online.contains(user) {
            var storedQueue: ConversationQueue?
            if let queueID = stored.queueID { storedQueue = try await self.queue(id: queueID, directory: directory, in: tx) }
            excluded = (user, try await conversationWeight(channelID: stored.channelID, queue: storedQueue, directory: directory, in: tx))
        }
        // Everyone stays in the list (in member order) so round robin keeps its turns; only the
        // online are eligible.
        let candidates = queue.memberIDs.map { userID in
            guard let state = book.state(of: userID), state.status == .online else {
                return AssignmentPolicy.Candidate(userID: userID, status: .offline, capacity: 0, skills: [], load: 0, activeCount: 0)
            }
            var load = book.load(of: userID)
            if let excluded, excluded.user == userID {
                load.count -= 1
                load.weight -= excluded.weight
            }
            return AssignmentPolicy.Candidate(userID: userID, status: state.status, capacity: state.capacity, skills: Set(state.skills),
                                              load: load.weight, activeCount: load.count)
        }
        var lastAssigned: String?
        if queue.strategy == .roundRobin {
            if case .some(let known) = book.lastAssigned(in: queue.id) {
                lastAssigned = known
            } else {
                lastAssigned = try await tx.firstRow("SELECT last_assigned_id FROM queues WHERE id = \(bind: queue.id)")?.optionalString("last_assigned_id")
            }
        }
        guard let chosen = AssignmentPolicy.choose(strategy: queue.strategy, candidates: candidates, requiredSkills: conversation.skills,
                                                   weight: weight, lastAssigned: lastAssigned) else { return }
        conversation.assigneeID = chosen
        if queue.strategy == .roundRobin {
            try await tx.execute("UPDATE queues SET last_assigned_id = \(bind: chosen) WHERE id = \(bind: queue.id)")
            book.remember(lastAssigned: chosen, in: queue.id)
        }
    }

    /// Capacity units a conversation on this channel takes in `queue`.
    func conversationWeight(channelID: String, queue: ConversationQueue?, directory: RoutingDirectory? = nil,
                            in tx: WriteTransaction) async throws -> Double {
        guard let queue, !queue.weights.isEmpty else { return 1 }
        return queue.weight(forChannelKind: try await channelKind(channelID, directory: directory, in: tx))
    }
}

extension SQLRoutingStore {
    /// Every user's availability that has been set, by user id.
    public func agentStates() async throws -> [AgentState] {
        try await read { database in
            try await database.raw("SELECT * FROM agent_states ORDER BY user_id").all().map(AgentRows.decode)
        }
    }

    public func agentState(_ userID: String) async throws -> AgentState? {
        try await read { try await AgentRows.find(userID: userID, on: $0) }
    }
}

enum AgentRows {
    static func find(userID: String, on database: any SQLDatabase) async throws -> AgentState? {
        try await database.raw("SELECT * FROM agent_states WHERE user_id = \(bind: userID)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> AgentState {
        AgentState(userID: try row.string("user_id"), status: try storedEnum(try row.string("status")), capacity: try row.double("capacity"),
                   skills: try row.stringList("skills"), updatedAt: try row.timestamp("updated_at"))
    }
}
