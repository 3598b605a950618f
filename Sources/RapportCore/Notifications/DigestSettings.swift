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

    /// `{"channel_id": "chn_…" | null, "console_url": "https://…" | null}`: both, a PUT replaces both.
    public static func read(_ value: JSONValue) throws(ValidationFailure) -> DigestSettings {
        var reader = try InputReader(value)
        var settings = DigestSettings()
        for key in ["channel_id", "console_url"] where reader.object[key] == nil { reader.fail(key, "is required (null for none)") }
        settings.channelID = reader.patchString("channel_id", maxLength: 64).applied(to: nil)
        if let id = settings.channelID, !id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }) {
            reader.fail("channel_id", "is not a channel id (letters, digits, _ and -)")
        }
        let url = reader.patchString("console_url", maxLength: 500).applied(to: nil)
        if let url, !WebAddress.isValid(url) { reader.fail("console_url", "must be an http:// or https:// address with a host name, like https://crm.example.com/console") }
        settings.consoleURL = url
        try reader.finish()
        return settings
    }
}
