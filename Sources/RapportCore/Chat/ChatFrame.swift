/// What the chat widget sends over its WebSocket: JSON objects with a `type`.
///
/// - `hello` opens the session: the visitor's device token from an earlier visit (or none), and
///   what the site vouches for — a signed-in user's id with its `user_hash` (an HMAC of the id
///   with the channel's identity secret) — or an email the visitor gave; `after` is the id of
///   the last message the widget shows, so a reconnect gets only what it missed.
/// - `message` is the visitor writing; `client_id` makes a message sent again after a lost
///   connection land once.
/// - `typing` says the visitor is typing; `identify` gives an email later in the chat.
public enum ChatClientFrame: Sendable, Equatable {
    case hello(visitor: String?, userID: String?, userHash: String?, email: String?, name: String?, after: String?)
    case message(clientID: String, text: String)
    case typing
    case identify(email: String, name: String?)

    public static let maxText = 10_000

    /// Reads one frame; the error names the field.
    public static func read(_ value: JSONValue) throws(ValidationFailure) -> ChatClientFrame {
        var reader = try InputReader(value)
        let type = reader.string("type", required: true, maxLength: 20)
        switch type {
        case "hello":
            let visitor = reader.string("visitor", maxLength: 100)
            let userID = reader.string("user_id", maxLength: 200)
            let userHash = reader.string("user_hash", maxLength: 200)
            let email = reader.string("email", maxLength: 320)
            let name = reader.string("name", maxLength: 200)
            let after = reader.string("after", maxLength: 64)
            if (userID == nil) != (userHash == nil) { reader.fail(userID == nil ? "user_id" : "user_hash", "user_id and user_hash come together") }
            try reader.finish()
            return .hello(visitor: visitor, userID: userID, userHash: userHash, email: email, name: name, after: after)
        case "message":
            let clientID = reader.string("client_id", required: true, maxLength: 100)
            let text = reader.string("text", required: true, maxLength: maxText)
            if let text, !text.hasVisibleCharacters { reader.fail("text", "must not be blank") }
            try reader.finish()
            return .message(clientID: clientID ?? "", text: text ?? "")
        case "typing":
            try reader.finish()
            return .typing
        case "identify":
            let email = reader.string("email", required: true, maxLength: 320)
            let name = reader.string("name", maxLength: 200)
            try reader.finish()
            return .identify(email: email ?? "", name: name)
        default:
            reader.fail("type", "must be hello, message, typing or identify")
            try reader.finish()
            return .typing
        }
    }
}

/// What the server sends the widget.
public enum ChatServerFrame: Sendable, Equatable {
    /// The session is open: the visitor's token to keep, the channel's look, and the messages
    /// the widget does not show yet.
    case welcome(visitor: String, greeting: String?, colour: String?, history: [ChatLine])
    /// A message (the visitor's own, acknowledged, or an agent's).
    case message(ChatLine)
    case typing
    case error(String)

    public var json: JSONValue {
        switch self {
        case .welcome(let visitor, let greeting, let colour, let history):
            return ["type": "welcome", "visitor": .string(visitor), "greeting": greeting.map(JSONValue.string) ?? .null,
                    "colour": colour.map(JSONValue.string) ?? .null, "history": .array(history.map(\.json))]
        case .message(let line):
            var object = line.json.objectValue ?? JSONObject()
            object["type"] = "message"
            return .object(object)
        case .typing:
            return ["type": "typing", "from": "agent"]
        case .error(let text):
            return ["type": "error", "message": .string(text)]
        }
    }
}

/// One message as the widget shows it.
public struct ChatLine: Sendable, Equatable {
    /// The interaction's id.
    public var id: String
    /// `visitor` or `agent`.
    public var from: String
    public var text: String
    public var at: Timestamp
    /// The widget's id of a visitor's message.
    public var clientID: String?

    public init(id: String, from: String, text: String, at: Timestamp, clientID: String?) {
        self.id = id
        self.from = from
        self.text = text
        self.at = at
        self.clientID = clientID
    }

    /// The line an interaction of a chat conversation is.
    public init(_ interaction: Interaction) {
        self.init(id: interaction.id, from: interaction.direction == .inbound ? "visitor" : "agent", text: interaction.body ?? "",
                  at: interaction.occurredAt, clientID: interaction.metadata["client_id"]?.stringValue)
    }

    public var json: JSONValue {
        ["id": .string(id), "from": .string(from), "text": .string(text), "at": .string(at.rfc3339),
         "client_id": clientID.map(JSONValue.string) ?? .null]
    }
}
