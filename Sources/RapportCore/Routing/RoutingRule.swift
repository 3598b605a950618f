/// One ordered rule: when its trigger fires and all its conditions hold, its actions apply.
///
/// Rules of a trigger run in `position` order (then id); every matching rule applies its actions
/// in turn (a later rule's department, queue, priority or assignee replaces an earlier one's, tags
/// add up), and a matching rule with `stop` ends the run.
public struct RoutingRule: Sendable, Equatable {
    public var id: String
    public var name: String
    public var trigger: RoutingTrigger
    public var position: Int64
    public var enabled: Bool
    public var stop: Bool
    public var conditions: RoutingConditions
    public var actions: RoutingActions
    /// Starts at 1; every edit stores the previous definition and adds one.
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, name: String, trigger: RoutingTrigger, position: Int64, enabled: Bool = true, stop: Bool = false,
                conditions: RoutingConditions = RoutingConditions(), actions: RoutingActions, version: Int64 = 1,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.trigger = trigger
        self.position = position
        self.enabled = enabled
        self.stop = stop
        self.conditions = conditions
        self.actions = actions
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The definition as the API shows and accepts it (without id, version and times).
    public var definition: JSONValue {
        [
            "name": .string(name), "trigger": .string(trigger.rawValue), "position": .integer(position),
            "enabled": .bool(enabled), "stop": .bool(stop), "conditions": conditions.json, "actions": actions.json,
        ]
    }

    public var json: JSONValue {
        guard case .object(var object) = definition else { return definition }
        object["id"] = .string(id)
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}

/// What must hold for a rule to match; every condition given must hold.
public struct RoutingConditions: Sendable, Equatable {
    /// A CEL expression over `interaction`, `conversation`, `customer`, `channel`, `prediction`,
    /// `keywords` and `trigger` that must yield true.
    public var expression: String?
    /// At least one of these keyword sets must match the text.
    public var keywordsAny: [String] = []
    /// None of these keyword sets may match.
    public var keywordsNone: [String] = []
    /// Channel kinds (`email`) or channel ids the interaction came through.
    public var channels: [String] = []
    public var directions: [InteractionDirection] = []
    /// Inside or outside the business hours in the routing settings.
    public var businessHours: BusinessHoursCondition?
    /// The classifier's label must be one of these …
    public var labels: [String] = []
    /// … with at least this confidence.
    public var minConfidence: Double?

    public init(expression: String? = nil, keywordsAny: [String] = [], keywordsNone: [String] = [], channels: [String] = [],
                directions: [InteractionDirection] = [], businessHours: BusinessHoursCondition? = nil,
                labels: [String] = [], minConfidence: Double? = nil) {
        self.expression = expression
        self.keywordsAny = keywordsAny
        self.keywordsNone = keywordsNone
        self.channels = channels
        self.directions = directions
        self.businessHours = businessHours
        self.labels = labels
        self.minConfidence = minConfidence
    }

    /// Every keyword set the conditions name.
    public var keywordSets: [String] { keywordsAny + keywordsNone }

    public var json: JSONValue {
        var object = JSONObject()
        if let expression { object["expression"] = .string(expression) }
        if !keywordsAny.isEmpty { object["keywords_any"] = .array(keywordsAny.map(JSONValue.string)) }
        if !keywordsNone.isEmpty { object["keywords_none"] = .array(keywordsNone.map(JSONValue.string)) }
        if !channels.isEmpty { object["channels"] = .array(channels.map(JSONValue.string)) }
        if !directions.isEmpty { object["directions"] = .array(directions.map { .string($0.rawValue) }) }
        if let businessHours { object["business_hours"] = .string(businessHours.rawValue) }
        if !labels.isEmpty { object["labels"] = .array(labels.map(JSONValue.string)) }
        if let minConfidence { object["min_confidence"] = .double(minConfidence) }
        return .object(object)
    }
}

/// Whether a rule applies inside or outside business hours.
public enum BusinessHoursCondition: String, Sendable, CaseIterable {
    case inside
    case outside
}

/// What a matching rule does to the conversation.
public struct RoutingActions: Sendable, Equatable {
    /// Department id or key.
    public var department: String?
    /// Queue id, or key within the department.
    public var queue: String?
    /// A user id to assign directly (else the queue's strategy assigns).
    public var assignTo: String?
    public var priority: ConversationPriority?
    public var tags: [String] = []
    /// Skills an agent needs to take the conversation.
    public var skills: [String] = []
    /// Hide as spam or noise (kept, reversible by a person).
    public var suppress: Suppression?
    /// User ids or `department:<key>` to notify (a `rapport.notification.created` event).
    public var notify: [String] = []
    /// A signal name; emits `rapport.routing.signal` with it for other consumers.
    public var emit: String?
    /// Tasks to create about the conversation (`create_task`: one per rule; the rules that match add theirs).
    public var createTasks: [TaskTemplate] = []

    public init(department: String? = nil, queue: String? = nil, assignTo: String? = nil, priority: ConversationPriority? = nil,
                tags: [String] = [], skills: [String] = [], suppress: Suppression? = nil, notify: [String] = [], emit: String? = nil) {
        self.department = department
        self.queue = queue
        self.assignTo = assignTo
        self.priority = priority
        self.tags = tags
        self.skills = skills
        self.suppress = suppress
        self.notify = notify
        self.emit = emit
    }

    public var isEmpty: Bool { self == RoutingActions() }

    public var json: JSONValue {
        var object = JSONObject()
        if let department { object["department"] = .string(department) }
        if let queue { object["queue"] = .string(queue) }
        if let assignTo { object["assign_to"] = .string(assignTo) }
        if let priority { object["priority"] = .string(priority.rawValue) }
        if !tags.isEmpty { object["tags"] = .array(tags.map(JSONValue.string)) }
        if !skills.isEmpty { object["skills"] = .array(skills.map(JSONValue.string)) }
        if let suppress { object["suppress"] = .string(suppress.rawValue) }
        if !notify.isEmpty { object["notify"] = .array(notify.map(JSONValue.string)) }
        if let emit { object["emit"] = .string(emit) }
        if createTasks.count == 1 { object["create_task"] = createTasks[0].json }
        if createTasks.count > 1 { object["create_task"] = .array(createTasks.map(\.json)) }
        return .object(object)
    }
}
