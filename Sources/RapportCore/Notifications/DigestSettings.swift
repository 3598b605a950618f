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
        if let url, !isWebAddress(url) { reader.fail("console_url", "must be an http:// or https:// address with a host name, like https://crm.example.com/console") }
        settings.consoleURL = url
        try reader.finish()
        return settings
    }

    /// `http(s)://host[:port][/path]`: a host of letters, digits, `.` and `-`, a port of 1–5
    /// digits, and a path without spaces, quotes, angle brackets or control characters.
    static func isWebAddress(_ text: String) -> Bool {
        var rest = Substring.UnicodeScalarView(text.unicodeScalars)
        if text.utf8.starts(with: "https://".utf8) { rest = rest.dropFirst(8) }
        else if text.utf8.starts(with: "http://".utf8) { rest = rest.dropFirst(7) }
        else { return false }
        func isHost(_ scalar: Unicode.Scalar) -> Bool { scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-") }
        let host = rest.prefix(while: isHost)
        guard !host.isEmpty else { return false }
        rest = rest.dropFirst(host.count)
        if rest.first == ":" {
            rest = rest.dropFirst()
            let port = rest.prefix(while: { ("0"..."9").contains($0) })
            guard (1...5).contains(port.count) else { return false }
            rest = rest.dropFirst(port.count)
        }
        guard rest.isEmpty || rest.first == "/" else { return false }
        return rest.allSatisfy { scalar in
            !scalar.properties.isWhitespace && !"\"<>".unicodeScalars.contains(scalar) && !(0...0x1F).contains(scalar.value) && !(0x7F...0x9F).contains(scalar.value)
        }
    }
}
