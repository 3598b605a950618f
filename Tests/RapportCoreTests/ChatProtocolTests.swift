import RapportCore
import Testing

@Suite("Web chat: the widget's frames and the channel's widget settings") struct ChatProtocolTests {
    @Test func framesAreReadWithFieldNamedErrors() throws {
        #expect(try ChatClientFrame.read(["type": "hello", "visitor": "v1", "after": "int_9"])
                == .hello(visitor: "v1", userID: nil, userHash: nil, email: nil, name: nil, after: "int_9"))
        #expect(try ChatClientFrame.read(["type": "message", "client_id": "c-1", "text": "你好"]) == .message(clientID: "c-1", text: "你好"))
        #expect(try ChatClientFrame.read(["type": "identify", "email": "ana@example.com"]) == .identify(email: "ana@example.com", name: nil))
        func fields(_ value: JSONValue) -> [String] {
            do {
                _ = try ChatClientFrame.read(value)
                return []
            } catch {
                return error.issues.map(\.field)
            }
        }
        #expect(fields(["type": "message", "client_id": "c", "text": "  "]) == ["text"])
        #expect(fields(["type": "hello", "user_id": "u1"]) == ["user_hash"])
        #expect(fields(["type": "shout"]) == ["type"])
        #expect(fields(["type": "typing", "extra": 1]) == ["extra"])
        let line = ChatLine(id: "int_1", from: "agent", text: "<b>hi</b>", at: Timestamp(microseconds: 0), clientID: nil)
        #expect(ChatServerFrame.message(line).json.objectValue?["type"] == .string("message"))
        #expect(ChatServerFrame.message(line).json.objectValue?["text"] == .string("<b>hi</b>"))
    }

    @Test func widgetSettingsAreCheckedAndTheirSecretNeverShown() {
        let settings: JSONObject = ["widget": ["colour": "#0b5fff", "greeting": "Hi", "allowed_origins": ["https://shop.example"],
                                               "identity_secret": "0123456789abcdef0123"]]
        #expect(ChatChannelSettings.problems(in: settings).isEmpty)
        let channel = Channel(id: "chn_1", kind: .chat, name: "Web chat", settings: settings, createdAt: .now(), updatedAt: .now())
        let widget = ChatChannelSettings.of(channel)
        #expect(widget.allows(origin: "https://shop.example"))
        #expect(!widget.allows(origin: "https://evil.example"))
        #expect(!widget.allows(origin: nil))
        #expect(ChatChannelSettings(allowedOrigins: []).allows(origin: nil))
        let shown = channel.json.objectValue?["settings"]?.objectValue?["widget"]?.objectValue
        #expect(shown?["identity_secret"] == nil)
        #expect(shown?["identity_secret_set"] == .bool(true))
        let edited = ChatChannelSettings.keepingSecret(["widget": ["colour": "#000", "identity_secret_set": true]], from: settings)
        #expect(edited["widget"]?.objectValue?["identity_secret"] == .string("0123456789abcdef0123"))
        #expect(edited["widget"]?.objectValue?["identity_secret_set"] == nil)
        let bad: JSONObject = ["widget": ["colour": "blue", "allowed_origins": ["shop.example"], "identity_secret": "short", "size": 3]]
        #expect(Set(ChatChannelSettings.problems(in: bad).map(\.field)) == ["settings.widget.colour", "settings.widget.allowed_origins",
                                                                          "settings.widget.identity_secret", "settings.widget.size"])
    }

    @Test func filesAreReadFromFramesAndRepliesWithTheirLimits() throws {
        let frame = try ChatClientFrame.read(["type": "attachment", "client_id": "f-1",
                                              "file": ["filename": "a.txt", "content_type": "Text/Plain", "content_base64": "aGk="]])
        #expect(frame == .attachment(clientID: "f-1", text: nil,
                                     file: MailAttachment(filename: "a.txt", contentType: "text/plain", contentID: nil, isInline: false, content: Array("hi".utf8))))
        let tooLarge = String(repeating: "A", count: (ChatClientFrame.maxFileBytes / 3 + 1) * 4)
        for (file, field) in [(JSONValue.null, "file"), (["filename": "a/b", "content_base64": "aGk="], "file.filename"),
                              (["filename": "e.txt", "content_base64": ""], "file.content_base64"), (["filename": "big.bin", "content_base64": .string(tooLarge)], "file")] {
            #expect(throws: ValidationFailure.self) { try ChatClientFrame.read(["type": "attachment", "client_id": "f", "file": file]) }
            do {
                _ = try ChatClientFrame.read(["type": "attachment", "client_id": "f", "file": file])
            } catch {
                #expect(error.issues.map(\.field).contains(field), "\(error.issues)")
            }
        }
        let reply = try ChatReply.read(["text": "Label", "attachments": [["filename": "l.pdf", "content_type": "application/pdf", "content_base64": "JVBERg=="]]])
        #expect(reply.files.first?.content == Array("%PDF".utf8))
        #expect(throws: ValidationFailure.self) { try ChatReply.read(["text": "x", "attachments": .array(Array(repeating: ["filename": "a", "content_base64": "aGk="], count: 6))]) }
        // What an interaction lists is what the widget gets, with the address of each file.
        let line = ChatLine(id: "int_1", from: "agent", text: "Label", at: Timestamp(microseconds: 0), clientID: nil,
                            files: [ChatFile(id: "chf_1", filename: "l.pdf", contentType: "application/pdf", size: 4)], channelID: "chn_1")
        #expect(line.json.objectValue?["attachments"]?.arrayValue?.first?.objectValue?["url"] == JSONValue.string("/chat/chn_1/files/chf_1"))
        #expect(ChatFile(ChatFile(id: "chf_1", filename: "l.pdf", contentType: "application/pdf", size: 4).json)?.size == 4)
    }
}
