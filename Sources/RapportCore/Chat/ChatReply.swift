/// An agent's reply in a web chat with files, as `POST /v1/conversations/{id}/chat-replies`
/// takes it: `text` (not blank: a file is introduced) and `attachments`
/// (`[{"filename", "content_type", "content_base64"}]`, each at most `ChatClientFrame.maxFileBytes`).
public struct ChatReply: Sendable, Equatable {
    public var text: String
    public var files: [MailAttachment]

    public init(text: String, files: [MailAttachment]) {
        self.text = text
        self.files = files
    }

    public static let maxFiles = 5

    /// Reads the request body; the error names the field.
    public static func read(_ value: JSONValue) throws(ValidationFailure) -> ChatReply {
        var reader = try InputReader(value)
        let text = reader.string("text", required: true, maxLength: ChatClientFrame.maxText) ?? ""
        if !text.hasVisibleCharacters { reader.fail("text", "must not be blank") }
        var files: [MailAttachment] = []
        if let raw = reader.value("attachments"), !raw.isNull {
            if case .array(let items) = raw, items.count <= maxFiles {
                for (index, item) in items.enumerated() {
                    do throws(ValidationFailure) {
                        let file = try MailAttachment.read(item, path: "attachments[\(index)]")
                        if file.size > ChatClientFrame.maxFileBytes {
                            reader.fail("attachments[\(index)]", "is \(file.size) bytes; at most \(ChatClientFrame.maxFileBytes) may be sent")
                        } else {
                            files.append(file)
                        }
                    } catch {
                        reader.absorb(error)
                    }
                }
            } else {
                reader.fail("attachments", "expected an array of at most \(maxFiles) files")
            }
        }
        try reader.finish()
        return ChatReply(text: text, files: files)
    }
}
