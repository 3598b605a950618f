/// Which permission lets a caller see an event: the one that reads the record it is about; and,
/// for what belongs to one department or one person, whether the caller is that department or
/// person. Every reader of the log (REST, SSE, WebSocket, webhooks, AMQP) asks here.
public enum EventVisibility {
    /// The permission an event of `type` (`rapport.<entity>.<change>`) needs besides `events:read`.
    public static func permission(for type: String) -> Permission {
        switch entity(of: type) {
        case "customer", "duplicate", "match_model", "segment": return .readCustomers
        case "interaction", "mail", "call", "meeting", "note", "task", "handoff": return .readInteractions
        case "conversation": return .readConversations
        case "department", "channel", "user", "settings": return .readOrganization
        case "record", "record_type": return .readRecords
        case "process", "process_definition": return .readProcesses
        case "notification": return .readEvents
        default: return .manageAccess
        }
    }

    /// Whether a caller in `role` may see events of `type` at all (before what an event holds).
    public static func allows(_ role: Role, toSee type: String) -> Bool {
        role.allows(.readEvents) && role.allows(permission(for: type))
    }

    /// Whether `reader` may see `event`: its role allows the type, a department-private note's
    /// events reach only that department's members, and a notification only the user it is for.
    public static func allows(_ reader: EventReader, toSee event: Event) -> Bool {
        guard allows(reader.role, toSee: event.type) else { return false }
        switch entity(of: event.type) {
        case "note":
            guard let note = event.data.objectValue?["note"]?.objectValue else { return true }
            return NoteAccess.canSee(visibility: note["visibility"]?.stringValue,
                                     departmentID: note["department_id"]?.stringValue, readerDepartmentID: reader.departmentID)
        case "notification":
            guard let userID = reader.userID else { return false }
            return event.data.objectValue?["notification"]?.objectValue?["user_id"]?.stringValue == userID
        default:
            return true
        }
    }

    private static func entity(of type: String) -> Substring {
        let parts = type.split(separator: ".")
        return parts.count >= 2 ? parts[1] : ""
    }
}

/// Who reads the log: a user's session, an API key, a webhook subscription or the message queue.
public struct EventReader: Sendable, Equatable {
    public var role: Role
    /// The department the caller belongs to (a user's, or the one a key is bound to).
    public var departmentID: String?
    /// The signed-in user; nil for keys, webhooks and the broker.
    public var userID: String?

    public init(role: Role, departmentID: String? = nil, userID: String? = nil) {
        self.role = role
        self.departmentID = departmentID
        self.userID = userID
    }

    /// The message queue: every event but what belongs to one department or one person.
    public static let broker = EventReader(role: .admin)
}
