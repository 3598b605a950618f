/// What a chat channel's settings say about its widget: `settings.widget` =
/// `{"colour": "#0b5fff", "greeting": "Hi! How can we help?", "allowed_origins": ["https://shop.example"],
///   "identity_secret": "…"}`. The identity secret checks the `user_hash` a site sends for its
/// signed-in users; like every secret in settings it is write-only.
public struct ChatChannelSettings: Sendable, Equatable {
    public var colour: String?
    public var greeting: String?
    /// The pages allowed to open the widget's socket (`scheme://host[:port]`); empty allows any.
    public var allowedOrigins: [String]
    public var identitySecret: String?

    public init(colour: String? = nil, greeting: String? = nil, allowedOrigins: [String] = [], identitySecret: String? = nil) {
        self.colour = colour
        self.greeting = greeting
        self.allowedOrigins = allowedOrigins
        self.identitySecret = identitySecret
    }

    public static func of(_ channel: Channel) -> ChatChannelSettings {
        let widget = channel.settings["widget"]?.objectValue ?? JSONObject()
        return ChatChannelSettings(colour: widget["colour"]?.stringValue, greeting: widget["greeting"]?.stringValue,
                                   allowedOrigins: (widget["allowed_origins"]?.arrayValue ?? []).compactMap(\.stringValue),
                                   identitySecret: widget["identity_secret"]?.stringValue)
    }

    /// Whether a page at `origin` may open the widget.
    public func allows(origin: String?) -> Bool {
        guard !allowedOrigins.isEmpty else { return true }
        guard let origin else { return false }
        return allowedOrigins.contains { $0.lowercased() == origin.lowercased() }
    }

    /// The problems with `settings.widget`, by field.
    public static func problems(in settings: JSONObject) -> [FieldIssue] {
        guard let value = settings["widget"], !value.isNull else { return [] }
        guard let widget = value.objectValue else { return [FieldIssue(field: "settings.widget", message: "must be an object")] }
        var issues: [FieldIssue] = []
        for key in widget.keys where !["colour", "greeting", "allowed_origins", "identity_secret", "identity_secret_set"].contains(key) {
            issues.append(FieldIssue(field: "settings.widget.\(key)", message: "unknown field"))
        }
        if let colour = widget["colour"], !colour.isNull {
            let text = colour.stringValue ?? ""
            let hex = text.dropFirst()
            if !(text.hasPrefix("#") && (hex.count == 6 || hex.count == 3) && hex.allSatisfy(\.isHexDigit)) {
                issues.append(FieldIssue(field: "settings.widget.colour", message: "must be a colour such as #0b5fff"))
            }
        }
        if let greeting = widget["greeting"], !greeting.isNull, (greeting.stringValue?.count ?? 1_001) > 1_000 {
            issues.append(FieldIssue(field: "settings.widget.greeting", message: "must be a string of at most 1000 characters"))
        }
        if let origins = widget["allowed_origins"], !origins.isNull {
            let valid = origins.arrayValue?.allSatisfy { entry in
                guard let text = entry.stringValue, text.hasPrefix("https://") || text.hasPrefix("http://") else { return false }
                let rest = text.split(separator: "/", omittingEmptySubsequences: false)
                return rest.count == 3 && !rest[2].isEmpty
            } ?? false
            if !valid { issues.append(FieldIssue(field: "settings.widget.allowed_origins", message: "must be a list of origins such as https://shop.example")) }
        }
        if let secret = widget["identity_secret"], !secret.isNull, (secret.stringValue?.count ?? 0) < 16 {
            issues.append(FieldIssue(field: "settings.widget.identity_secret", message: "must be a string of at least 16 characters"))
        }
        return issues
    }

    /// `settings` as the API shows them: the identity secret replaced by whether one is set.
    public static func shown(_ settings: JSONObject) -> JSONObject {
        guard var widget = settings["widget"]?.objectValue, widget["identity_secret"] != nil else { return settings }
        var shown = settings
        widget["identity_secret"] = nil
        widget["identity_secret_set"] = .bool(true)
        shown["widget"] = .object(widget)
        return shown
    }

    /// `new` settings with the stored identity secret kept when the new ones give none.
    public static func keepingSecret(_ new: JSONObject, from stored: JSONObject) -> JSONObject {
        guard var widget = new["widget"]?.objectValue else { return new }
        var kept = new
        widget["identity_secret_set"] = nil
        if widget["identity_secret"] == nil, let secret = stored["widget"]?.objectValue?["identity_secret"] { widget["identity_secret"] = secret }
        kept["widget"] = .object(widget)
        return kept
    }
}
