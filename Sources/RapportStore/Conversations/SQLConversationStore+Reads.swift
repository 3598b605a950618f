import RapportCore
import SQLKit

/// Which conversations an inbox shows.
public struct ConversationFilter: Sendable, Equatable {
    public var departmentID: String?
    public var queueID: String?
    public var assigneeID: String?
    /// Only conversations nobody holds.
    public var unassigned = false
    public var customerID: String?
    public var statuses: [ConversationStatus] = []
    /// Suppressed conversations are hidden unless asked for; then only they are shown.
    public var suppressed = false

    public init(departmentID: String? = nil, queueID: String? = nil, assigneeID: String? = nil, unassigned: Bool = false,
                customerID: String? = nil, statuses: [ConversationStatus] = [], suppressed: Bool = false) {
        self.departmentID = departmentID
        self.queueID = queueID
        self.assigneeID = assigneeID
        self.unassigned = unassigned
        self.customerID = customerID
        self.statuses = statuses
        self.suppressed = suppressed
    }

    /// The kept count this filter's totals can be read from, or nil when they must be counted.
    var countScope: (scope: String, id: String)? {
        guard !suppressed, customerID == nil else { return nil }
        switch (departmentID, queueID, assigneeID, unassigned) {
        case (nil, nil, nil, false): return ("all", "")
        case (let department?, nil, nil, false): return ("department", department)
        case (nil, let queue?, nil, false): return ("queue", queue)
        case (nil, nil, let assignee?, false): return ("assignee", assignee)
        case (let department?, nil, nil, true): return ("department_unassigned", department)
        default: return nil
        }
    }

    /// The conditions without the status filter (counts are per status).
    var conditions: [SQLQueryString] {
        var conditions: [SQLQueryString] = [suppressed ? "suppressed IS NOT NULL" : "suppressed IS NULL"]
        if let departmentID { conditions.append("department_id = \(bind: departmentID)") }
        if let queueID { conditions.append("queue_id = \(bind: queueID)") }
        if let assigneeID { conditions.append("assignee_id = \(bind: assigneeID)") }
        if unassigned { conditions.append("assignee_id IS NULL") }
        if let customerID { conditions.append("customer_id = \(bind: customerID)") }
        return conditions
    }
}

/// A page of an inbox with how many conversations it holds in each status.
public struct ConversationInbox: Sendable {
    public var page: Page<Conversation>
    public var counts: [ConversationStatus: Int64]
    /// The name and company of each listed conversation's customer, by customer id, so an inbox
    /// shows who wrote without a request per row.
    public var customers: [String: CustomerLabel] = [:]
}

/// What an inbox shows of a customer.
public struct CustomerLabel: Sendable, Equatable {
    public var name: String
    public var company: String?
}

extension SQLConversationStore {
    public func conversation(_ id: String) async throws -> Conversation? {
        try await read { try await $0.raw("SELECT * FROM conversations WHERE id = \(bind: id)").first().map(ConversationRows.decode) }
    }

    /// One page of an inbox, newest activity first (one more row than `limit`, to tell whether
    /// another page follows). Served by the order indexes of migrations 9 and 32.
    static func inboxPageQuery(_ filter: ConversationFilter, limit: Int, cursor: String?) throws -> SQLQueryString {
        var conditions = filter.conditions
        if !filter.statuses.isEmpty {
            conditions.append("status IN (\(binds: filter.statuses.map(\.rawValue)))")
        }
        if let cursor {
            let (time, id) = try ListCursor.decodePair(cursor)
            conditions.append("(last_interaction_at < \(bind: time) OR (last_interaction_at = \(bind: time) AND id < \(bind: id)))")
        }
        return "SELECT * FROM conversations WHERE " + conditions.joined(separator: " AND ")
            + " ORDER BY last_interaction_at DESC, id DESC LIMIT \(bind: limit + 1)"
    }

    /// An inbox: newest activity first, with per-status counts over the same filter.
    public func conversations(matching filter: ConversationFilter, limit: Int, cursor: String?) async throws -> ConversationInbox {
        let conditions = filter.conditions
        // Kept by triggers for the usual inboxes (migration 9); counted for the rest.
        let countQuery: SQLQueryString = if let scope = filter.countScope {
            "SELECT status, n FROM conversation_counts WHERE scope = \(bind: scope.scope) AND scope_id = \(bind: scope.id)"
        } else {
            "SELECT status, COUNT(*) AS n FROM conversations WHERE " + conditions.joined(separator: " AND ") + " GROUP BY status"
        }
        let query = try Self.inboxPageQuery(filter, limit: limit, cursor: cursor)
        return try await read { database in
            let rows = try await database.raw(query).all().map(ConversationRows.decode)
            var counts: [ConversationStatus: Int64] = [:]
            for status in ConversationStatus.allCases { counts[status] = 0 }
            for row in try await database.raw(countQuery).all() {
                if let status = ConversationStatus(rawValue: try row.string("status")) { counts[status] = try row.int64("n") }
            }
            let items = Array(rows.prefix(limit))
            let next = rows.count > limit ? items.last.map { ListCursor.encode($0.lastInteractionAt.microseconds, $0.id) } : nil
            var customers: [String: CustomerLabel] = [:]
            let customerIDs = Array(Set(items.map(\.customerID)))
            if !customerIDs.isEmpty {
                for row in try await database.raw("SELECT id, name, company FROM customers WHERE id IN (\(binds: customerIDs))").all() {
                    customers[try row.string("id")] = CustomerLabel(name: try row.string("name"), company: try row.optionalString("company"))
                }
            }
            return ConversationInbox(page: Page(items: items, nextCursor: next), counts: counts, customers: customers)
        }
    }

    /// The interactions of a conversation in time order.
    public func interactions(inConversation id: String, limit: Int) async throws -> [Interaction] {
        try await read { database in
            try await database.raw("""
                SELECT i.* FROM interactions i JOIN conversation_interactions ci ON ci.interaction_id = i.id
                WHERE ci.conversation_id = \(bind: id) ORDER BY i.occurred_at, i.id LIMIT \(bind: limit)
                """).all().map(InteractionRows.decode)
        }
    }

    /// The conversation an interaction was threaded into, once routing has seen it.
    public func conversationID(ofInteraction id: String) async throws -> String? {
        try await read { database in
            try await database.raw("SELECT conversation_id FROM conversation_interactions WHERE interaction_id = \(bind: id)")
                .first()?.string("conversation_id")
        }
    }

    /// Routing decisions for a conversation, oldest first.
    public func routingDecisions(conversationID: String, limit: Int = 100) async throws -> [StoredRoutingDecision] {
        try await read { database in
            try await database.raw("""
                SELECT * FROM routing_decisions WHERE conversation_id = \(bind: conversationID) ORDER BY id LIMIT \(bind: limit)
                """).all().map(StoredRoutingDecision.decode)
        }
    }

    /// Routing decisions made for an interaction.
    public func routingDecisions(interactionID: String) async throws -> [StoredRoutingDecision] {
        try await read { database in
            try await database.raw("SELECT * FROM routing_decisions WHERE interaction_id = \(bind: interactionID) ORDER BY id")
                .all().map(StoredRoutingDecision.decode)
        }
    }
}

/// One recorded routing decision.
public struct StoredRoutingDecision: Sendable {
    public var id: String
    public var conversationID: String
    public var interactionID: String?
    public var trigger: String
    public var eventSequence: Int64?
    public var decision: JSONValue
    public var createdAt: Timestamp

    static func decode(_ row: any SQLRow) throws -> StoredRoutingDecision {
        StoredRoutingDecision(
            id: try row.string("id"), conversationID: try row.string("conversation_id"), interactionID: try row.optionalString("interaction_id"),
            trigger: try row.string("trigger"), eventSequence: try row.decode(column: "event_sequence", as: Int64?.self),
            decision: (try? JSONParser.parse(try row.string("decision"))) ?? .null, createdAt: try row.timestamp("created_at"))
    }

    public var json: JSONValue {
        var object = decision.objectValue ?? JSONObject()
        object["id"] = .string(id)
        object["conversation_id"] = .string(conversationID)
        object["interaction_id"] = interactionID.map(JSONValue.string) ?? .null
        object["trigger"] = .string(trigger)
        object["event_sequence"] = eventSequence.map(JSONValue.integer) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        return .object(object)
    }
}
