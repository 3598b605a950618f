import Foundation
import Logging
import RapportAMQP
import RapportCore
import RapportChannels
import RapportSync

/// Every setting of `rapport serve`, each declared once: its name (hence `--flag` and
/// `RAPPORT_*` variable), what it is (the `--help` text and the README's table are made from
/// it), its default, and how a value is read and checked. `SettingSources.value(_:)` reads one in
/// the order command line, environment, default.
public enum ServeSettings {
    /// Every declaration, in the order of `SettingName`.
    public static var all: [any SettingDeclaration] { SettingName.allCases.map(\.declaration) }

    public static let host = Setting<String>(.host, "listen address", default: "127.0.0.1") { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let port = Setting<Int>(.port, "listen port (0 = any free port)", default: "8080") { text in
        try integer(text, in: 0...65_535, "must be 0 to 65535")
    }

    public static let publicURL = Setting<String?>(
        .publicURL, "the https URL customers reach this server at, e.g. `https://crm.example.com` (one-click unsubscribe links in marketing email)",
        absent: "none: marketing email carries no unsubscribe link"
    ) { text in
        guard let url = URL(string: text), ["https", "http"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
              url.query == nil, url.fragment == nil else {
            throw SettingProblem("must be an http(s) URL like https://crm.example.com, without query or fragment")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    public static let dataDir = Setting<String>(.dataDir, "SQLite data directory", default: "./rapport-data") { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let databaseURL = Setting<String?>(
        .databaseURL, "PostgreSQL URL, e.g. `postgres://user:pass@host:5432/db?sslmode=disable` (overrides the data directory)",
        absent: "none"
    ) { text in
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else { throw SettingProblem("must start with postgres://") }
        return text
    }

    public static let defaultPhoneRegion = Setting<String>(
        .defaultPhoneRegion, "region for phone numbers without country code (ISO 3166-1 alpha-2)", default: "US"
    ) { text in
        do throws(IdentityError) {
            _ = try IdentityNormalizer(defaultRegion: text)
        } catch {
            throw SettingProblem(error.message)
        }
        return text
    }

    public static let maxBodyBytes = Setting<Int>(.maxBodyBytes, "largest request body, bytes", default: "1048576") { text in
        try integer(text, in: 1_024...Int.max, "must be at least 1024")
    }

    public static let webhooksAllowPrivate = Setting(switch: .webhooksAllowPrivate, "allow webhooks to loopback, private and link-local addresses")

    public static let testClock = Setting(
        switch: .testClock, "for tests only: an admin may move the server's clock forward with POST /v1/test-clock (SLAs, reminders)")

    public static let webhookRetryDelays = Setting<RetrySchedule>(
        .webhookRetryDelays, "waits before each webhook attempt (units ms, s, m, h)", default: "0,5s,5m,30m,2h,5h,10h,14h,20h,24h"
    ) { text in
        guard let schedule = RetrySchedule(listing: text) else { throw SettingProblem("\"\(text)\" is not a list like 0,5s,5m,2h") }
        return schedule
    }

    public static let amqpURL = Setting<AMQPConfiguration?>(
        .amqpURL, "RabbitMQ to publish to and consume from (e.g. `amqp://guest:guest@127.0.0.1:5672/`; `amqps://` for TLS)",
        absent: "none (no AMQP)"
    ) { text in
        text.isEmpty ? nil : try AMQPConfiguration(url: text)
    }

    public static let amqpExchange = Setting<String>(.amqpExchange, "topic exchange the events go to", default: "rapport.events") { text in
        try queueName(text)
    }

    public static let amqpQueue = Setting<String?>(
        .amqpQueue, "queue to declare and bind to every routing key (e.g. `crm_data`)", absent: "none"
    ) { text in
        try queueName(text)
    }

    public static let amqpQueueDurable = Setting(
        switch: .amqpQueueDurable, "declare the queue of `--amqp-queue` durable when Rapport creates it", off: "off (as pika declares it)")

    public static let amqpFilter = Setting<SubscriptionFilter?>(
        .amqpFilter, "publish only the events a CEL expression selects", absent: "every event"
    ) { text in
        .cel(try CompiledExpression(filter: text))
    }

    public static let amqpInboundQueue = Setting<String?>(
        .amqpInboundQueue, "queue of interactions and customer changes to apply", absent: "none"
    ) { text in
        try queueName(text)
    }

    public static let amqpPrefetch = Setting<Int>(.amqpPrefetch, "unacknowledged inbound messages at once", default: "100") { text in
        try integer(text, in: 1...65_535, "must be 1 to 65535")
    }

    public static let maxClockSkewMs = Setting<Int>(
        .maxClockSkewMs, "how far a channel's change time may run ahead of the server clock, ms (offline sync)", default: "60000"
    ) { text in
        try integer(text, in: 0...Int.max, "must not be negative")
    }

    public static let sessionHours = Setting<Int>(
        .sessionHours, "how long a console sign-in lasts before signing in again, hours", default: "12"
    ) { text in
        try integer(text, in: 1...720, "must be 1 to 720")
    }

    public static let passwordHashCost = Setting<Int>(
        .passwordHashCost, "bcrypt cost of password hashes (each step doubles the work; 12 takes about 0.3 s)", default: "12"
    ) { text in
        try integer(text, in: 4...16, "must be 4 to 16")
    }

    public static let consoleAssets = Setting<String?>(
        .consoleAssets, "serve the console from this folder, read on every request (for working on the console)",
        absent: "the console built into the binary"
    ) { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let smtpPort = Setting<Int?>(
        .smtpPort, "port of the SMTP server that receives mail for the email channels' addresses (0 = any free port)",
        absent: "none (no SMTP server)"
    ) { text in
        try integer(text, in: 0...65_535, "must be 0 to 65535")
    }

    public static let smtpHost = Setting<String>(.smtpHost, "listen address of the SMTP server", default: "127.0.0.1") { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let smtpHostname = Setting<String>(
        .smtpHostname, "the host's name in DNS: in the SMTP server's greeting, `EHLO` to the relay, and the Message-IDs of mail sent", default: "rapport"
    ) { text in
        guard !text.isEmpty, !text.contains(" ") else { throw SettingProblem("must be a host name") }
        return text
    }

    public static let smtpTLSCertificate = Setting<String?>(
        .smtpTLSCertificate, "PEM certificate chain for STARTTLS (with `--smtp-tls-key`)", absent: "none (no STARTTLS)"
    ) { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let smtpTLSKey = Setting<String?>(.smtpTLSKey, "PEM private key for STARTTLS", absent: "none") { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let smtpMaxMessageBytes = Setting<Int>(
        .smtpMaxMessageBytes, "largest message the SMTP server takes, bytes (announced as SIZE)", default: "26214400"
    ) { text in
        try integer(text, in: 1_024...1 << 30, "must be 1024 to 1073741824")
    }

    public static let smtpSenderRate = Setting<Int>(
        .smtpSenderRate, "messages one envelope sender may send per minute before the SMTP server answers 450", default: "120"
    ) { text in
        try integer(text, in: 1...1_000_000, "must be 1 to 1000000")
    }

    public static let mailAttachmentMaxBytes = Setting<Int>(
        .mailAttachmentMaxBytes, "largest attachment kept from received mail, bytes (larger ones are listed, not kept)",
        default: "10485760"
    ) { text in
        try integer(text, in: 0...1 << 30, "must be 0 to 1073741824")
    }

    public static let mailRelay = Setting<String?>(
        .mailRelay, "SMTP relay that replies by email go through: `smtp+starttls://host:587`, `smtps://host:465` or `smtp://host:25`",
        absent: "none (no email is sent)"
    ) { text in
        guard RelayConfiguration(url: text, username: nil, password: nil, trustedCertificatesPath: nil, hostname: "rapport") != nil else {
            throw SettingProblem("\"\(text)\" is not smtp+starttls://host:port, smtps://host:port or smtp://host:port")
        }
        return text
    }

    public static let mailRelayUsername = Setting<String?>(.mailRelayUsername, "login at the mail relay (AUTH)", absent: "none") { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let mailRelayPassword = Setting<String?>(
        .mailRelayPassword, "password at the mail relay (better given as `RAPPORT_MAIL_RELAY_PASSWORD` than as a flag)", absent: "none"
    ) { text in
        text
    }

    public static let mailboxCAFile = Setting<String?>(
        .mailboxCAFile, "PEM certificates to trust for the TLS of mailboxes fetched over IMAP instead of the system's", absent: "the system's"
    ) { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let mailRelayCAFile = Setting<String?>(
        .mailRelayCAFile, "PEM certificates to trust for the mail relay's TLS instead of the system's", absent: "the system's"
    ) { text in
        guard !text.isEmpty else { throw SettingProblem("must not be empty") }
        return text
    }

    public static let mailRetryDelays = Setting<RetrySchedule>(
        .mailRetryDelays, "waits before each attempt to hand a reply to the relay (units ms, s, m, h)",
        default: "0,1m,5m,15m,30m,1h,2h,4h,8h,12h,12h,12h,12h"
    ) { text in
        guard let schedule = RetrySchedule(listing: text) else { throw SettingProblem("\"\(text)\" is not a list like 0,1m,5m,1h") }
        return schedule
    }

    public static let logLevel = Setting<Logger.Level>(
        .logLevel, "log level: trace, debug, info, notice, warning, error or critical", default: "info"
    ) { text in
        guard let level = Logger.Level(rawValue: text) else {
            throw SettingProblem("\"\(text)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    public static let logFormat = Setting<LogFormat>(.logFormat, "log format (`json` or `text`)", default: "json") { text in
        guard let format = LogFormat(rawValue: text) else { throw SettingProblem("must be json or text") }
        return format
    }

    private static func integer(_ text: String, in range: ClosedRange<Int>, _ outside: String) throws -> Int {
        guard let value = Int(text) else { throw SettingProblem("\"\(text)\" is not a number") }
        guard range.contains(value) else { throw SettingProblem(outside) }
        return value
    }

    /// An AMQP exchange or queue name: a short string of 1 to 255 bytes.
    private static func queueName(_ text: String) throws -> String {
        guard !text.isEmpty, text.utf8.count <= 255 else { throw SettingProblem("must be 1 to 255 bytes") }
        return text
    }
}

/// How log lines are written: JSON objects (the default) or swift-log's text lines.
public enum LogFormat: String, Sendable {
    case json
    case text
}
