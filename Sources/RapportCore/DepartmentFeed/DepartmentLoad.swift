/// How much one member of a department has on their plate now.
public struct PersonLoad: Sendable, Equatable {
    public var userID: String
    public var name: String
    public var role: Role
    /// Open tasks assigned to them, and how many of those are past due.
    public var openTasks: Int
    public var overdueTasks: Int
    /// Conversations assigned to them that wait for the company (open).
    public var openConversations: Int
    /// Conversations assigned to them waiting for the customer or snoozed.
    public var waitingConversations: Int
    /// Handoffs they accepted and have not completed.
    public var handoffsInProgress: Int

    public init(userID: String, name: String, role: Role, openTasks: Int = 0, overdueTasks: Int = 0, openConversations: Int = 0,
                waitingConversations: Int = 0, handoffsInProgress: Int = 0) {
        self.userID = userID
        self.name = name
        self.role = role
        self.openTasks = openTasks
        self.overdueTasks = overdueTasks
        self.openConversations = openConversations
        self.waitingConversations = waitingConversations
        self.handoffsInProgress = handoffsInProgress
    }

    /// One figure to sort people by: what waits for them to act.
    public var total: Int { openTasks + openConversations + handoffsInProgress }

    public var json: JSONValue {
        ["user_id": .string(userID), "name": .string(name), "role": .string(role.rawValue),
         "open_tasks": .integer(Int64(openTasks)), "overdue_tasks": .integer(Int64(overdueTasks)),
         "open_conversations": .integer(Int64(openConversations)), "waiting_conversations": .integer(Int64(waitingConversations)),
         "handoffs_in_progress": .integer(Int64(handoffsInProgress)), "total": .integer(Int64(total))]
    }
}

/// A manager's view of a department's load: per active member, and what belongs to no one yet.
public struct DepartmentLoad: Sendable, Equatable {
    public var departmentID: String
    public var people: [PersonLoad]
    /// Open conversations of the department (or one of its queues' conversations routed to it) with no assignee.
    public var unassignedConversations: Int
    /// Open tasks assigned to the department as a whole or to one of its queues.
    public var sharedTasks: Int
    /// Handoffs to the department that no one has answered yet.
    public var unansweredHandoffs: Int

    public init(departmentID: String, people: [PersonLoad], unassignedConversations: Int, sharedTasks: Int, unansweredHandoffs: Int) {
        self.departmentID = departmentID
        // The busiest first; equal loads by name, so the order does not flicker.
        self.people = people.sorted { ($1.total, $0.name, $0.userID) < ($0.total, $1.name, $1.userID) }
        self.unassignedConversations = unassignedConversations
        self.sharedTasks = sharedTasks
        self.unansweredHandoffs = unansweredHandoffs
    }

    public var json: JSONValue {
        ["department_id": .string(departmentID), "people": .array(people.map(\.json)),
         "unassigned_conversations": .integer(Int64(unassignedConversations)), "shared_tasks": .integer(Int64(sharedTasks)),
         "unanswered_handoffs": .integer(Int64(unansweredHandoffs))]
    }
}
