/// What an email channel's settings say about mail: the addresses it receives at.
public enum EmailChannelSettings {
    /// `settings.address` and the strings of `settings.addresses`, lowercased.
    public static func addresses(of channel: Channel) -> Set<String> {
        var addresses = Set<String>()
        if let address = channel.settings["address"]?.stringValue { addresses.insert(address.trimmingSpace().lowercased()) }
        for value in channel.settings["addresses"]?.arrayValue ?? [] {
            if let address = value.stringValue { addresses.insert(address.trimmingSpace().lowercased()) }
        }
        return addresses
    }
}

/// A mailbox hosted elsewhere that an email channel fetches from over IMAP: its `settings.imap`,
/// `{"url": "imaps://imap.example.com", "username": …, "password": …, "mailbox": "INBOX",
/// "poll_seconds": 60}`. The password is write-only: the API never shows it.
public struct MailboxSettings: Sendable, Equatable {
    public enum Security: String, Sendable {
        case none, starttls, tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String
    public var password: String
    public var mailbox: String
    /// How often to look for new mail when the server cannot IDLE (and at most how long an IDLE lasts).
    public var pollSeconds: Int

    public init(host: String, port: Int, security: Security, username: String, password: String, mailbox: String = "INBOX",
                pollSeconds: Int = 60) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.mailbox = mailbox
        self.pollSeconds = pollSeconds
    }

    /// The mailbox of `settings` (nil when it has no `imap`), or the problems with it, each named
    /// by its field (`settings.imap.url`, …).
    public static func read(_ settings: JSONObject) -> Result<MailboxSettings?, ValidationFailure> {
        guard let value = settings["imap"], !value.isNull else { return .success(nil) }
        guard let imap = value.objectValue else { return .failure(ValidationFailure(field: "settings.imap", message: "must be an object")) }
        var issues: [FieldIssue] = []
        func text(_ key: String, required: Bool, maxLength: Int = 500) -> String? {
            guard let raw = imap[key], !raw.isNull else {
                if required { issues.append(FieldIssue(field: "settings.imap.\(key)", message: "is required")) }
                return nil
            }
            guard let string = raw.stringValue, !string.isEmpty, string.count <= maxLength, !string.containsControlCharacters else {
                issues.append(FieldIssue(field: "settings.imap.\(key)", message: "must be a string of 1 to \(maxLength) characters"))
                return nil
            }
            return string
        }
        for key in imap.keys where !["url", "username", "password", "mailbox", "poll_seconds"].contains(key) {
            issues.append(FieldIssue(field: "settings.imap.\(key)", message: "unknown field"))
        }
        let securities: [String: Security] = ["imap": .none, "imap+starttls": .starttls, "imaps": .tls]
        let url = text("url", required: true).flatMap { text -> MailServerURL? in
            guard let url = MailServerURL(text, defaultPorts: ["imap": 143, "imap+starttls": 143, "imaps": 993]) else {
                issues.append(FieldIssue(field: "settings.imap.url", message: "must be imaps://host[:port], imap+starttls://host[:port] or imap://host[:port]"))
                return nil
            }
            return url
        }
        let username = text("username", required: true)
        let password = text("password", required: false, maxLength: 1_000)
        let mailbox = text("mailbox", required: false) ?? "INBOX"
        var poll = 60
        if let raw = imap["poll_seconds"], !raw.isNull {
            if let seconds = raw.intValue, (5...3_600).contains(seconds) { poll = Int(seconds) } else {
                issues.append(FieldIssue(field: "settings.imap.poll_seconds", message: "must be a whole number from 5 to 3600"))
            }
        }
        guard issues.isEmpty, let url, let username, let security = securities[url.scheme] else { return .failure(ValidationFailure(issues)) }
        return .success(MailboxSettings(host: url.host, port: url.port, security: security, username: username, password: password ?? "",
                                        mailbox: mailbox, pollSeconds: poll))
    }

    /// `settings` as the API shows them: the mailbox password replaced by whether one is set.
    public static func shown(_ settings: JSONObject) -> JSONObject {
        guard var imap = settings["imap"]?.objectValue else { return settings }
        var shown = settings
        let set = imap["password"]?.stringValue.map { !$0.isEmpty } ?? false
        imap["password"] = nil
        imap["password_set"] = .bool(set)
        shown["imap"] = .object(imap)
        return shown
    }

    /// `new` settings with the stored mailbox password kept when the new ones give none (an
    /// edit that did not touch it: the API never showed it).
    public static func keepingPassword(_ new: JSONObject, from stored: JSONObject) -> JSONObject {
        guard var imap = new["imap"]?.objectValue, imap["password"] == nil || imap["password"] == .null,
              let password = stored["imap"]?.objectValue?["password"] else { return new }
        var kept = new
        imap["password_set"] = nil
        imap["password"] = password
        kept["imap"] = .object(imap)
        return kept
    }
}
