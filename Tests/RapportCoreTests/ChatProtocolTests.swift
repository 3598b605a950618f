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
}
