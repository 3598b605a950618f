import Foundation

/// The name of a setting of `rapport serve`: its flag is `--` + the name, its environment variable
/// `RAPPORT_` + the name in upper case with `_` for `-`. The order of the cases is the order of
/// the README's configuration table.
public enum SettingName: String, CaseIterable, Sendable {
    case host
    case port
    case publicURL = "public-url"
    case dataDir = "data-dir"
    case databaseURL = "database-url"
    case defaultPhoneRegion = "default-phone-region"
    case maxBodyBytes = "max-body-bytes"
    case webhooksAllowPrivate = "webhooks-allow-private"
    case webhookRetryDelays = "webhook-retry-delays"
    case amqpURL = "amqp-url"
    case amqpExchange = "amqp-exchange"
    case amqpQueue = "amqp-queue"
    case amqpQueueDurable = "amqp-queue-durable"
    case amqpFilter = "amqp-filter"
    case amqpInboundQueue = "amqp-inbound-queue"
    case amqpPrefetch = "amqp-prefetch"
    case maxClockSkewMs = "max-clock-skew-ms"
    case sessionHours = "session-hours"
    case passwordHashCost = "password-hash-cost"
    case consoleAssets = "console-assets"
    case smtpPort = "smtp-port"
    case smtpHost = "smtp-host"
    case smtpHostname = "smtp-hostname"
    case smtpTLSCertificate = "smtp-tls-certificate"
    case smtpTLSKey = "smtp-tls-key"
    case smtpMaxMessageBytes = "smtp-max-message-bytes"
    case smtpSenderRate = "smtp-sender-rate"
    case mailAttachmentMaxBytes = "mail-attachment-max-bytes"
    case mailRelay = "mail-relay"
    case mailRelayUsername = "mail-relay-username"
    case mailRelayPassword = "mail-relay-password"
    case mailRelayCAFile = "mail-relay-ca-file"
    case mailRetryDelays = "mail-retry-delays"
    case mailboxCAFile = "mailbox-ca-file"
    case testClock = "test-clock"
    case logLevel = "log-level"
    case logFormat = "log-format"

    /// The command-line flag without its dashes (ArgumentParser adds them).
    public var flag: String { rawValue }

    /// The environment variable that gives the setting when the flag is absent.
    public var variable: String { "RAPPORT_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// The declaration of the setting (a switch, so every name has exactly one).
    public var declaration: any SettingDeclaration {
        switch self {
        case .host: ServeSettings.host
        case .port: ServeSettings.port
        case .publicURL: ServeSettings.publicURL
        case .dataDir: ServeSettings.dataDir
        case .databaseURL: ServeSettings.databaseURL
        case .defaultPhoneRegion: ServeSettings.defaultPhoneRegion
        case .maxBodyBytes: ServeSettings.maxBodyBytes
        case .webhooksAllowPrivate: ServeSettings.webhooksAllowPrivate
        case .webhookRetryDelays: ServeSettings.webhookRetryDelays
        case .amqpURL: ServeSettings.amqpURL
        case .amqpExchange: ServeSettings.amqpExchange
        case .amqpQueue: ServeSettings.amqpQueue
        case .amqpQueueDurable: ServeSettings.amqpQueueDurable
        case .amqpFilter: ServeSettings.amqpFilter
        case .amqpInboundQueue: ServeSettings.amqpInboundQueue
        case .amqpPrefetch: ServeSettings.amqpPrefetch
        case .maxClockSkewMs: ServeSettings.maxClockSkewMs
        case .sessionHours: ServeSettings.sessionHours
        case .passwordHashCost: ServeSettings.passwordHashCost
        case .consoleAssets: ServeSettings.consoleAssets
        case .smtpPort: ServeSettings.smtpPort
        case .smtpHost: ServeSettings.smtpHost
        case .smtpHostname: ServeSettings.smtpHostname
        case .smtpTLSCertificate: ServeSettings.smtpTLSCertificate
        case .smtpTLSKey: ServeSettings.smtpTLSKey
        case .smtpMaxMessageBytes: ServeSettings.smtpMaxMessageBytes
        case .smtpSenderRate: ServeSettings.smtpSenderRate
        case .mailAttachmentMaxBytes: ServeSettings.mailAttachmentMaxBytes
        case .mailRelay: ServeSettings.mailRelay
        case .mailRelayUsername: ServeSettings.mailRelayUsername
        case .mailRelayPassword: ServeSettings.mailRelayPassword
        case .mailRelayCAFile: ServeSettings.mailRelayCAFile
        case .mailRetryDelays: ServeSettings.mailRetryDelays
        case .mailboxCAFile: ServeSettings.mailboxCAFile
        case .testClock: ServeSettings.testClock
        case .logLevel: ServeSettings.logLevel
        case .logFormat: ServeSettings.logFormat
        }
    }
}

/// What every setting declares, whatever the type of its value: what `--help` and the README's
/// configuration table are generated from.
public protocol SettingDeclaration: Sendable {
    var name: SettingName { get }
    /// One line saying what the setting is, as the README's table shows it (Markdown).
    var summary: String { get }
    /// A switch is a flag without a value (`--webhooks-allow-private`), turned on by `RAPPORT_…=true`.
    var isSwitch: Bool { get }
    /// The default as the README shows it (Markdown): a value in code style, or words.
    var defaultShown: String { get }
    /// The `--help` text of the flag.
    var help: String { get }
    /// Refuses `text` as the setting's value with the message `rapport serve` would print.
    func check(_ text: String, variable: String?) throws(SettingError)
}

/// What is wrong with a value, said without naming the setting: `Setting` adds that.
public struct SettingProblem: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// An invalid setting: `rapport serve` refuses to start with this message, which names the
/// setting and, when the value came from the environment, its variable.
public struct SettingError: Error, CustomStringConvertible, Equatable {
    public var name: SettingName
    /// The environment variable the value came from; nil for a flag (or the default).
    public var variable: String?
    public var problem: String

    public var description: String {
        "invalid setting \(name.rawValue)\(variable.map { " (\($0))" } ?? ""): \(problem)"
    }
}

/// One setting: its name (hence flag and variable), what it is, its default and how a value is
/// read and checked. `ServeSettings` holds them all.
public struct Setting<Value: Sendable>: SettingDeclaration {
    enum Fallback: Sendable {
        /// A default written as a value and read like one.
        case text(String)
        /// No value: the setting is off or absent, as `words` say.
        case absent(Value, words: String)
    }

    public let name: SettingName
    public let summary: String
    public let isSwitch: Bool
    let fallback: Fallback
    let parse: @Sendable (String) throws -> Value

    /// A setting whose default is a value, written as a flag would give it.
    init(_ name: SettingName, _ summary: String, default text: String, parse: @escaping @Sendable (String) throws -> Value) {
        self.name = name
        self.summary = summary
        self.isSwitch = false
        self.fallback = .text(text)
        self.parse = parse
    }

    /// A setting that may be absent (nil), as `words` describe.
    init<Wrapped>(_ name: SettingName, _ summary: String, absent words: String, parse: @escaping @Sendable (String) throws -> Wrapped?)
    where Value == Wrapped? {
        self.name = name
        self.summary = summary
        self.isSwitch = false
        self.fallback = .absent(nil, words: words)
        self.parse = parse
    }

    public var defaultShown: String {
        switch fallback {
        case .text(let text): "`\(text)`"
        case .absent(_, let words): words
        }
    }

    public var help: String {
        let plain = summary.replacingOccurrences(of: "`", with: "")
        let sentence = plain.prefix(1).uppercased() + plain.dropFirst()
        let environment = isSwitch ? "Env \(name.variable)=true" : "Env \(name.variable)"
        return "\(sentence). \(environment); default \(defaultShown.replacingOccurrences(of: "`", with: ""))."
    }

    /// The value of `text`, from the flag (`variable` nil) or from `variable`.
    public func read(_ text: String, variable: String? = nil) throws(SettingError) -> Value {
        do {
            return try parse(text)
        } catch {
            throw SettingError(name: name, variable: variable, problem: "\(error)")
        }
    }

    /// The value when neither the flag nor the variable gives one.
    public func defaultValue() throws(SettingError) -> Value {
        switch fallback {
        case .text(let text): try read(text)
        case .absent(let value, _): value
        }
    }

    public func check(_ text: String, variable: String?) throws(SettingError) {
        _ = try read(text, variable: variable)
    }
}

extension Setting where Value == Bool {
    /// A flag without a value; `RAPPORT_…` turns it on with `true` (and leaves it off with `false`).
    init(switch name: SettingName, _ summary: String, off words: String = "off") {
        self.name = name
        self.summary = summary
        self.isSwitch = true
        self.fallback = .absent(false, words: words)
        self.parse = { text in
            switch text {
            case "true": return true
            case "false": return false
            default: throw SettingProblem("\"\(text)\" is not true or false")
            }
        }
    }
}

/// Where settings come from, in order: the command line, then the environment, then the default.
public struct SettingSources: Sendable {
    /// Values given on the command line, by setting; a switch that was given is `"true"`.
    public var commandLine: [SettingName: String]
    /// The process environment; an empty variable counts as unset.
    public var environment: [String: String]

    public init(commandLine: [SettingName: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.commandLine = commandLine
        self.environment = environment
    }

    /// The setting's value from the first source that gives one; an invalid value is refused
    /// with an error that names the setting (and the variable, when it came from there).
    public func value<Value>(_ setting: Setting<Value>) throws(SettingError) -> Value {
        if let text = commandLine[setting.name] { return try setting.read(text) }
        if let text = environment[setting.name.variable], !text.isEmpty { return try setting.read(text, variable: setting.name.variable) }
        return try setting.defaultValue()
    }
}
