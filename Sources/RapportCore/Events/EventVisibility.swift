/// Which permission lets a caller see an event: the one that reads the record it is about.
public enum EventVisibility {
    /// The permission an event of `type` (`rapport.<entity>.<change>`) needs besides `events:read`.
    public static func permission(for type: String) -> Permission {
        let parts = type.split(separator: ".")
        let entity = parts.count >= 2 ? parts[1] : ""
        switch entity {
        case "customer", "duplicate", "match_model": return .readCustomers
        case "interaction", "mail", "call", "meeting": return .readInteractions
        case "conversation": return .readConversations
        case "department", "channel", "user", "settings": return .readOrganization
        default: return .manageAccess
        }
    }

    /// Whether a caller in `role` may see an event of `type`.
    public static func allows(_ role: Role, toSee type: String) -> Bool {
        role.allows(.readEvents) && role.allows(permission(for: type))
    }
}
