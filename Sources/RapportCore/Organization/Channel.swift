/// A way customers reach the company, e.g. the web shop, a support mailbox or a phone line.
public struct Channel: Sendable, Equatable {
    public var id: String
    public var kind: ChannelKind
    public var name: String
    public var settings: JSONObject
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, kind: ChannelKind, name: String, settings: JSONObject, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.kind = kind
        self.name = name
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "kind": .string(kind.rawValue), "name": .string(name),
            "settings": .object(ChannelSecrets.shown(settings)),
            "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
    }
}

/// The medium of a channel.
public enum ChannelKind: String, Sendable, CaseIterable {
    case web
    case email
    case phone
    case chat
    case sms
    case social
    case store
    case mobileApp = "mobile_app"
    case api
}

/// Validated fields for creating or editing a channel.
public struct ChannelChanges: Sendable, Equatable {
    public var kind: ChannelKind?
    public var name: String?
    public var settings: JSONObject?

    public init(kind: ChannelKind? = nil, name: String? = nil, settings: JSONObject? = nil) {
        self.kind = kind
        self.name = name
        self.settings = settings
    }

    /// `storedKind` is the kind of the channel being edited, whose settings are checked by it.
    public static func read(_ value: JSONValue, creating: Bool, storedKind: ChannelKind? = nil) throws(ValidationFailure) -> ChannelChanges {
        var reader = try InputReader(value)
        let kind: ChannelKind? = reader.enumeration("kind", required: creating)
        let name = reader.string("name", required: creating, maxLength: 200)
        var settings: JSONObject?
        switch reader.object("settings", maxKeys: 200) {
        case .set(let object): settings = object
        case .clear: settings = JSONObject()
        case .unchanged: settings = creating ? JSONObject() : nil
        }
        if let settings, (kind ?? storedKind) == .email {
            // An email channel receives at its addresses: each must be one.
            if let address = settings["address"] {
                if address.stringValue.flatMap({ try? EmailNormalizer.normalize($0) }) == nil {
                    reader.fail("settings.address", "must be an email address, e.g. support@example.com")
                }
            }
            if let list = settings["addresses"] {
                if list.arrayValue?.allSatisfy({ $0.stringValue.flatMap { try? EmailNormalizer.normalize($0) } != nil }) != true {
                    reader.fail("settings.addresses", "must be a list of email addresses")
                }
            }
        }
        if var given = settings, (kind ?? storedKind) == .email {
            // What the API showed back of a mailbox may come again with an edit.
            if var imap = given["imap"]?.objectValue, imap["password_set"] != nil {
                imap["password_set"] = nil
                given["imap"] = .object(imap)
                settings = given
            }
            if case .failure(let failure) = MailboxSettings.read(given) { reader.absorb(failure) }
        }
        if let given = settings, (kind ?? storedKind) == .chat {
            let problems = ChatChannelSettings.problems(in: given)
            if !problems.isEmpty { reader.absorb(ValidationFailure(problems)) }
        }
        if let given = settings, (kind ?? storedKind) == .phone {
            if let issue = PhoneChannelSettings.problem(in: given) { reader.absorb(ValidationFailure([issue])) }
            var cleaned = given
            cleaned["call_webhook_secret_set"] = nil
            settings = cleaned
        }
        try reader.finish()
        return ChannelChanges(kind: kind, name: name, settings: settings)
    }
}
