/// How digests go out, set by an admin: the email channel that sends them (its address and name
/// are the sender) and the console's address the links in them point to. Without a channel no
/// digest is sent.
public struct DigestSettings: Sendable, Equatable {
    public var channelID: String?
    /// The console's address as people reach it, e.g. `https://crm.example.com/console`.
    public var consoleURL: String?

    public init(channelID: String? = nil, consoleURL: String? = nil) {
        self.channelID = channelID
        self.consoleURL = consoleURL
    }

    public var json: JSONValue {
        ["channel_id": channelID.map(JSONValue.string) ?? .null, "console_url": consoleURL.map(JSONValue.string) ?? .null]
    }

    /// `{"channel_id": "chn_…" | null, "console_url": "https://…" | null}`.
    public static func read(_ value: JSONValue) throws(ValidationFailure) -> DigestSettings {
        var reader = try InputReader(value)
        var settings = DigestSettings()
        settings.channelID = reader.patchString("channel_id", maxLength: 64).applied(to: nil)
        let url = reader.patchString("console_url", maxLength: 500).applied(to: nil)
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(where: { $0.isWhitespace || "\"<>".contains($0) }) {
            reader.fail("console_url", "must be an http:// or https:// address")
        }
        settings.consoleURL = url
        try reader.finish()
        return settings
    }
}
