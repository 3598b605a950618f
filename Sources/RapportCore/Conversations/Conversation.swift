/// One thread of contact between a customer and the company on one channel: the unit that is
/// routed to a department and queue, assigned to a person, and worked until resolved.
public struct Conversation: Sendable, Equatable {
    public var id: String
    public var customerID: String
    public var channelID: String
    /// The channel's own thread id (an email's thread, a chat session), when it gave one.
    public var threadKey: String?
    public var subject: String?
    public var status: ConversationStatus
    public var departmentID: String?
    public var queueID: String?
    public var assigneeID: String?
    public var priority: ConversationPriority
    public var tags: [String]
    /// Set when a rule or a person hid the conversation as spam or noise; kept and reversible.
    public var suppressed: Suppression?
    /// Skills an agent needs to take it (from routing rules).
    public var skills: [String]
    public var interactionCount: Int64
    public var lastInteractionAt: Timestamp
    public var snoozedUntil: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var resolvedAt: Timestamp?

    public init(id: String, customerID: String, channelID: String, threadKey: String?, subject: String?,
                status: ConversationStatus = .open, departmentID: String? = nil, queueID: String? = nil,
                assigneeID: String? = nil, priority: ConversationPriority = .normal, tags: [String] = [],
                suppressed: Suppression? = nil, skills: [String] = [], interactionCount: Int64 = 0,
                lastInteractionAt: Timestamp, snoozedUntil: Timestamp? = nil, createdAt: Timestamp,
                updatedAt: Timestamp, resolvedAt: Timestamp? = nil) {
        self.id = id
        self.customerID = customerID
        self.channelID = channelID
        self.threadKey = threadKey
        self.subject = subject
        self.status = status
        self.departmentID = departmentID
        self.queueID = queueID
        self.assigneeID = assigneeID
        self.priority = priority
        self.tags = tags
        self.suppressed = suppressed
        self.skills = skills
        self.interactionCount = interactionCount
        self.lastInteractionAt = lastInteractionAt
        self.snoozedUntil = snoozedUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
    }

    /// Open, pending and snoozed conversations still need someone; resolved ones do not.
    public var isActive: Bool { status != .resolved }

    public var json: JSONValue {
        .object(JSONObject(distinctKeys: [
            ("id", .string(id)),
            ("customer_id", .string(customerID)),
            ("channel_id", .string(channelID)),
            ("thread_key", threadKey.map(JSONValue.string) ?? .null),
            ("subject", subject.map(JSONValue.string) ?? .null),
            ("status", .string(status.rawValue)),
            ("department_id", departmentID.map(JSONValue.string) ?? .null),
            ("queue_id", queueID.map(JSONValue.string) ?? .null),
            ("assignee_id", assigneeID.map(JSONValue.string) ?? .null),
            ("priority", .string(priority.rawValue)),
            ("tags", .array(tags.map(JSONValue.string))),
            ("suppressed", suppressed.map { .string($0.rawValue) } ?? .null),
            ("skills", .array(skills.map(JSONValue.string))),
            ("interaction_count", .integer(interactionCount)),
            ("last_interaction_at", .string(lastInteractionAt.rfc3339)),
            ("snoozed_until", snoozedUntil.map { .string($0.rfc3339) } ?? .null),
            ("created_at", .string(createdAt.rfc3339)),
            ("updated_at", .string(updatedAt.rfc3339)),
            ("resolved_at", resolvedAt.map { .string($0.rfc3339) } ?? .null),
        ]))
    }
}

/// Where a conversation stands.
public enum ConversationStatus: String, Sendable, CaseIterable {
    /// Waiting for the company.
    case open
    /// Waiting for the customer.
    case pending
    /// Put aside until a time; a new message from the customer reopens it.
    case snoozed
    case resolved
}

/// How urgently a conversation should be worked, lowest first.
public enum ConversationPriority: String, Sendable, CaseIterable, Comparable {
    case low
    case normal
    case high
    case urgent

    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: ConversationPriority, rhs: ConversationPriority) -> Bool { lhs.rank < rhs.rank }
}

/// Why a conversation is hidden from inboxes.
public enum Suppression: String, Sendable, CaseIterable {
    case spam
    case noise
}
