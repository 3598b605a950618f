/// What the chat widget sends over its WebSocket: JSON objects with a `type`.
///
/// - `hello` opens the session: the visitor's device token from an earlier visit (or none), and
///   what the site vouches for — a signed-in user's id with its `user_hash` (an HMAC of the id
///   with the channel's identity secret) — or an email the visitor gave; `after` is the id of
///   the last message the widget shows, so a reconnect gets only what it missed.
/// - `message` is the visitor writing; `client_id` makes a message sent again after a lost
///   connection land once.
/// - `attachment` is the visitor sending a file (`file`: `filename`, `content_type`,
///   `content_base64`, at most `maxFileBytes`), with an optional `text`, under a `client_id` too.
/// - `typing` says the visitor is typing; `identify` gives an email later in the chat.
public enum ChatClientFrame: Sendable, Equatable {
    case hello(visitor: String?, userID: String?, userHash: String?, email: String?, name: String?, after: String?)
    case message(clientID: String, text: String)
    case attachment(clientID: String, text: String?, file: MailAttachment)
    case typing
    case identify(email: String, name: String?)

    public static let maxText = 10_000
    /// The largest file a visitor may send (decoded bytes).
    public static let maxFileBytes = 5 * 1_024 * 1_024
    /// The largest frame the socket reads: a file of `maxFileBytes` in base64, and the rest.
    public static let maxFrameBytes = maxFileBytes / 3 * 4 + 64 * 1_024

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
        case "attachment":
            let clientID = reader.string("client_id", required: true, maxLength: 100)
            let text = reader.string("text", maxLength: maxText)
            var file: MailAttachment?
            if let value = reader.value("file") {
                do throws(ValidationFailure) {
                    let read = try MailAttachment.read(value, path: "file")
                    if read.size > maxFileBytes {
                        reader.fail("file", "is \(read.size) bytes; at most \(maxFileBytes) may be sent")
                    } else if read.size == 0 {
                        reader.fail("file", "is empty")
                    } else {
                        file = read
                    }
                } catch {
                    reader.absorb(error)
                }
            } else {
                reader.fail("file", "is required")
            }
            try reader.finish()
            guard let file else { return .typing }
            return .attachment(clientID: clientID ?? "", text: text.flatMap { $0.hasVisibleCharacters ? $0 : nil }, file: file)
        case "typing":
            try reader.finish()
            return .typing
        case "identify":
            let email = reader.string("email", required: true, maxLength: 320)
            let name = reader.string("name", maxLength: 200)
            try reader.finish()
            return .identify(email: email ?? "", name: name)
        default:
            reader.fail("type", "must be hello, message, attachment, typing or identify")
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
    /// The files sent with it, and the chat channel whose address serves them.
    public var files: [ChatFile]
    public var channelID: String

    public init(id: String, from: String, text: String, at: Timestamp, clientID: String?, files: [ChatFile] = [], channelID: String = "") {
        self.id = id
        self.from = from
        self.text = text
        self.at = at
        self.clientID = clientID
        self.files = files
        self.channelID = channelID
    }

    /// The line an interaction of a chat conversation is.
    public init(_ interaction: Interaction) {
        self.init(id: interaction.id, from: interaction.direction == .inbound ? "visitor" : "agent", text: interaction.body ?? "",
                  at: interaction.occurredAt, clientID: interaction.metadata["client_id"]?.stringValue,
                  files: (interaction.metadata["attachments"]?.arrayValue ?? []).compactMap(ChatFile.init), channelID: interaction.channelID)
    }

    public var json: JSONValue {
        ["id": .string(id), "from": .string(from), "text": .string(text), "at": .string(at.rfc3339),
         "client_id": clientID.map(JSONValue.string) ?? .null,
         "attachments": .array(files.map { file in
             var object = file.json.objectValue ?? JSONObject()
             object["url"] = .string("/chat/\(channelID)/files/\(file.id)")
             return .object(object)
         })]
    }
}

/// A file of a chat message, as its interaction's `metadata.attachments` lists it.
public struct ChatFile: Sendable, Equatable {
    public var id: String
    public var filename: String
    public var contentType: String
    public var size: Int

    public init(id: String, filename: String, contentType: String, size: Int) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
    }

    public init?(_ value: JSONValue) {
        guard let object = value.objectValue, let id = object["id"]?.stringValue, let filename = object["filename"]?.stringValue,
              let contentType = object["content_type"]?.stringValue, let size = object["size"]?.intValue.map(Int.init) else { return nil }
        self.init(id: id, filename: filename, contentType: contentType, size: size)
    }

    public var json: JSONValue {
        ["id": .string(id), "filename": .string(filename), "content_type": .string(contentType), "size": .integer(Int64(size))]
    }
}
