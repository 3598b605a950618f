/// Who made a change: an API key, a user, or Rapport itself. Recorded on every event.
public struct Actor: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case apiKey = "api_key"
        case user
        case system
    }

    public var kind: Kind
    public var id: String?

    public init(kind: Kind, id: String?) {
        self.kind = kind
        self.id = id
    }

    public static let system = Actor(kind: .system, id: nil)

    public var json: JSONValue {
        ["type": .string(kind.rawValue), "id": id.map(JSONValue.string) ?? .null]
    }
}
