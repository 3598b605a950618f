/// A line of work inside a department (`refunds` in finance, `vip` in service) with the way its
/// conversations are given to people.
public struct ConversationQueue: Sendable, Equatable {
    public var id: String
    public var departmentID: String
    /// Short name, unique within the department, used by rules.
    public var key: String
    public var name: String
    public var strategy: AssignmentStrategy
    /// Capacity units one conversation takes, by channel kind (`chat`: 1, `email`: 0.5); 1 when absent.
    public var weights: [String: Double]
    /// Members: the users this queue assigns to.
    public var memberIDs: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, departmentID: String, key: String, name: String, strategy: AssignmentStrategy = .leastOpen,
                weights: [String: Double] = [:], memberIDs: [String] = [], createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.departmentID = departmentID
        self.key = key
        self.name = name
        self.strategy = strategy
        self.weights = weights
        self.memberIDs = memberIDs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The capacity a conversation on a channel of `kind` takes.
    public func weight(forChannelKind kind: String?) -> Double {
        kind.flatMap { weights[$0] } ?? 1
    }

    public var json: JSONValue {
        var weightObject = JSONObject()
        for (kind, weight) in weights.sorted(by: { $0.key < $1.key }) { weightObject[kind] = .double(weight) }
        return [
            "id": .string(id), "department_id": .string(departmentID), "key": .string(key), "name": .string(name),
            "strategy": .string(strategy.rawValue), "weights": .object(weightObject),
            "member_ids": .array(memberIDs.map(JSONValue.string)),
            "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
    }
}

/// How a queue picks the person for a conversation.
public enum AssignmentStrategy: String, Sendable, CaseIterable {
    /// Members take turns, skipping those who cannot take more.
    case roundRobin = "round_robin"
    /// The member with the fewest active conversations.
    case leastOpen = "least_open"
    /// The member with the most free capacity among those with the skills needed.
    case mostAvailable = "most_available"
    /// Nobody is assigned automatically; people pick from the queue.
    case manual
}

/// Validated fields for creating or editing a queue.
public struct QueueChanges: Sendable, Equatable {
    public var key: String?
    public var name: String?
    public var strategy: AssignmentStrategy?
    public var weights: [String: Double]?
    public var memberIDs: [String]?

    public init(key: String? = nil, name: String? = nil, strategy: AssignmentStrategy? = nil, weights: [String: Double]? = nil,
                memberIDs: [String]? = nil) {
        self.key = key
        self.name = name
        self.strategy = strategy
        self.weights = weights
        self.memberIDs = memberIDs
    }

    public static func read(_ value: JSONValue, creating: Bool) throws(ValidationFailure) -> QueueChanges {
        var reader = try InputReader(value)
        var changes = QueueChanges()
        changes.key = reader.string("key", required: creating, maxLength: 40)
        if let key = changes.key, !Department.isValidKey(key) {
            reader.fail("key", "use lower-case letters, digits, '-' and '_', starting with a letter")
        }
        changes.name = reader.string("name", required: creating, maxLength: 200)
        changes.strategy = reader.enumeration("strategy")
        if case .set(let object) = reader.object("weights", maxKeys: 20) {
            var weights: [String: Double] = [:]
            for (kind, raw) in object {
                if let number = raw.doubleValue, number > 0, number <= 100 { weights[kind] = number }
                else { reader.fail("weights.\(kind)", "expected a number above 0 and at most 100") }
            }
            changes.weights = weights
        }
        changes.memberIDs = reader.stringList("member_ids", maxCount: 1_000, maxLength: 64)
        try reader.finish()
        return changes
    }
}
