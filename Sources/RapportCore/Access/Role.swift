/// What a user or API key may do, from everything (admin) to reading (viewer).
public enum Role: String, Sendable, CaseIterable {
    case admin
    case manager
    case agent
    case viewer

    public var permissions: Set<Permission> {
        switch self {
        case .admin:
            Set(Permission.allCases)
        case .manager:
            Set(Permission.allCases).subtracting([.manageAccess])
        case .agent:
            [.readCustomers, .writeCustomers, .readInteractions, .writeInteractions, .readOrganization, .readEvents,
             .readConversations, .writeConversations, .readRecords, .writeRecords, .readProcesses, .runProcesses]
        case .viewer:
            [.readCustomers, .readInteractions, .readOrganization, .readEvents, .readConversations, .readRecords, .readProcesses]
        }
    }

    public func allows(_ permission: Permission) -> Bool {
        permissions.contains(permission)
    }
}

/// One thing a caller may be allowed to do.
public enum Permission: String, Sendable, CaseIterable {
    case readCustomers = "customers:read"
    case writeCustomers = "customers:write"
    case readInteractions = "interactions:read"
    case writeInteractions = "interactions:write"
    /// Departments, channels and users.
    case readOrganization = "organization:read"
    case writeOrganization = "organization:write"
    case readEvents = "events:read"
    /// Inboxes and conversations.
    case readConversations = "conversations:read"
    /// Assigning, resolving, tagging conversations; setting one's own availability.
    case writeConversations = "conversations:write"
    /// Routing rules, keyword sets, queues, the classifier and routing settings.
    case manageRouting = "routing:manage"
    /// Business records (deals, orders, cases…) of every type.
    case readRecords = "records:read"
    case writeRecords = "records:write"
    /// Record types: defining them and changing their fields.
    case defineRecords = "records:define"
    /// BPMN processes: definitions, instances, their history and incidents.
    case readProcesses = "processes:read"
    /// Starting and cancelling instances, and job workers' fetching, completing and failing jobs.
    case runProcesses = "processes:run"
    /// Deploying process versions, setting instances' variables, retrying incidents.
    case defineProcesses = "processes:define"
    /// API keys and user roles.
    case manageAccess = "access:manage"
}
