/// One line of a department's feed: a handoff that came in or went out taking a step (a lapsed
/// SLA among them), or a high-priority conversation that arrived for the department.
public enum DepartmentFeedEntry: Sendable, Equatable {
    /// `incoming`: the department is the one asked; otherwise it asked.
    case handoffStep(HandoffStepRecord, incoming: Bool)
    case highPriorityConversation(Conversation)

    public var time: Timestamp {
        switch self {
        case .handoffStep(let step, _): step.at
        case .highPriorityConversation(let conversation): conversation.createdAt
        }
    }

    public var id: String {
        switch self {
        case .handoffStep(let step, _): step.id
        case .highPriorityConversation(let conversation): conversation.id
        }
    }

    public var json: JSONValue {
        switch self {
        case .handoffStep(let step, let incoming):
            ["type": step.isSLABreach ? "sla_breach" : "handoff", "at": .string(time.rfc3339), "direction": incoming ? "in" : "out",
             "handoff_step": step.json]
        case .highPriorityConversation(let conversation):
            ["type": "high_priority_conversation", "at": .string(time.rfc3339), "conversation": conversation.json]
        }
    }

    /// The conversation priorities the feed announces.
    public static let announcedPriorities: [ConversationPriority] = [.high, .urgent]
}

/// What a department's day adds up to.
public struct DepartmentDaySummary: Sendable, Equatable {
    /// Handoffs asked of the department that day.
    public var handoffsIn: Int
    /// Handoffs the department asked of others that day.
    public var handoffsOut: Int
    /// Handoffs asked of the department whose SLA lapsed that day.
    public var slaBreachesIn: Int
    /// Handoffs the department asked whose SLA lapsed that day (at the other department).
    public var slaBreachesOut: Int
    /// High- and urgent-priority conversations that arrived for the department that day.
    public var highPriorityConversations: Int
    /// Handoffs waiting for the department's answer now, whatever day they came.
    public var unansweredNow: Int

    public init(handoffsIn: Int, handoffsOut: Int, slaBreachesIn: Int, slaBreachesOut: Int, highPriorityConversations: Int, unansweredNow: Int) {
        self.handoffsIn = handoffsIn
        self.handoffsOut = handoffsOut
        self.slaBreachesIn = slaBreachesIn
        self.slaBreachesOut = slaBreachesOut
        self.highPriorityConversations = highPriorityConversations
        self.unansweredNow = unansweredNow
    }

    public var json: JSONValue {
        ["handoffs_in": .integer(Int64(handoffsIn)), "handoffs_out": .integer(Int64(handoffsOut)),
         "sla_breaches_in": .integer(Int64(slaBreachesIn)), "sla_breaches_out": .integer(Int64(slaBreachesOut)),
         "high_priority_conversations": .integer(Int64(highPriorityConversations)), "unanswered_now": .integer(Int64(unansweredNow))]
    }
}
