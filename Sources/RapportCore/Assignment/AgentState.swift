/// Whether a person can take conversations now.
public enum AgentStatus: String, Sendable, CaseIterable {
    case online
    /// Keeps what they have, takes nothing new.
    case away
    /// Their active conversations go back to their queues and are given to others.
    case offline
}

/// A user's availability for assignment: status, how much work they can hold, what they know.
public struct AgentState: Sendable, Equatable {
    public var userID: String
    public var status: AgentStatus
    /// Capacity units they can hold at once (a chat might take 1, an email 0.5).
    public var capacity: Double
    public var skills: [String]
    public var updatedAt: Timestamp

    public init(userID: String, status: AgentStatus = .offline, capacity: Double = AgentState.defaultCapacity, skills: [String] = [],
                updatedAt: Timestamp) {
        self.userID = userID
        self.status = status
        self.capacity = capacity
        self.skills = skills
        self.updatedAt = updatedAt
    }

    public static let defaultCapacity: Double = 5

    public var json: JSONValue {
        ["user_id": .string(userID), "status": .string(status.rawValue), "capacity": .double(capacity),
         "skills": .array(skills.map(JSONValue.string)), "updated_at": .string(updatedAt.rfc3339)]
    }
}

/// Validated body of `PUT /v1/agents/{user_id}`.
public struct AgentStateChanges: Sendable, Equatable {
    public var status: AgentStatus?
    public var capacity: Double?
    public var skills: [String]?

    public init(status: AgentStatus? = nil, capacity: Double? = nil, skills: [String]? = nil) {
        self.status = status
        self.capacity = capacity
        self.skills = skills
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> AgentStateChanges {
        var reader = try InputReader(value)
        var changes = AgentStateChanges()
        changes.status = reader.enumeration("status")
        if let raw = reader.value("capacity") {
            if let number = raw.doubleValue, number >= 0, number <= 1_000 { changes.capacity = number }
            else { reader.fail("capacity", "expected a number from 0 to 1000") }
        }
        changes.skills = reader.stringList("skills", maxCount: 100, maxLength: 64, visible: true).map(ConversationChanges.normalizedTags)
        try reader.finish()
        if changes == AgentStateChanges() { throw ValidationFailure(field: "body", message: "nothing to change") }
        return changes
    }
}
