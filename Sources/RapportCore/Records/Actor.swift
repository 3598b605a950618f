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
        .object(JSONObject(distinctKeys: [("type", .string(kind.rawValue)), ("id", id.map(JSONValue.string) ?? .null)]))
    }

    /// An actor as `json` writes it; nil for anything else.
    public init?(json value: JSONValue?) {
        guard let object = value?.objectValue, let kind = object["type"]?.stringValue.flatMap(Kind.init(rawValue:)) else { return nil }
        self.init(kind: kind, id: object["id"]?.stringValue)
    }
}
