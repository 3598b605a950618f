import RapportCore
import RapportStore

/// Everything `rapport serve` can be told; each setting is declared in `ServeSettings`, and the
/// README's configuration table is made from those declarations.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var store: StoreLocation
    /// Region for phone numbers written without a country code (ISO 3166-1 alpha-2).
    public var defaultPhoneRegion: String
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// How far ahead of this server's clock a channel's change time may be.
    public var maxClockSkewMilliseconds: Int64
    /// Whether webhooks may go to loopback, private and link-local addresses.
    public var webhooksAllowPrivate: Bool
    /// When failed webhook deliveries are tried again.
    public var webhookRetrySchedule: RetrySchedule
    /// RabbitMQ publishing and consuming; nil without a broker.
    public var messageQueue: MessageQueueSettings?
    /// How long a console session lasts.
    public var sessionHours: Int
    /// bcrypt cost of new password hashes.
    public var passwordHashCost: Int
    /// A folder to serve the console from instead of the built-in assets (console development).
    public var consoleAssetsFolder: String?
    /// The SMTP server, the relay, and mail limits.
    public var mail: MailSettings
    /// Whether an admin may move the clock forward (`POST /v1/test-clock`), for browser tests of deadlines.
    public var testClock: Bool
    /// The URL customers reach the server at (for links in what is sent to them); nil: none.
    public var publicURL: String?

    /// The largest body of a classifier training request: a labelled history is larger than any
    /// record, so that one route accepts up to 64 MiB (or `maxBodyBytes`, when larger).
    public var trainingBodyBytes: Int { max(maxBodyBytes, 64 << 20) }
    /// An import's file (`PUT /v1/imports/{id}/file`) is streamed into the database a part at a
    /// time, so it may be up to 1 GiB (or `maxBodyBytes`, when larger).
    public var importFileBytes: Int64 { Int64(max(maxBodyBytes, 1 << 30)) }

    public init(host: String = "127.0.0.1", port: Int = 8080, store: StoreLocation = .sqlite(directory: "./rapport-data"),
                defaultPhoneRegion: String = "US", maxBodyBytes: Int = 1_048_576, maxClockSkewMilliseconds: Int64 = 60_000,
                webhooksAllowPrivate: Bool = false, webhookRetrySchedule: RetrySchedule = .standard,
                messageQueue: MessageQueueSettings? = nil, sessionHours: Int = 12, passwordHashCost: Int = 12,
                consoleAssetsFolder: String? = nil, mail: MailSettings = MailSettings(), testClock: Bool = false, publicURL: String? = nil) {
        self.host = host
        self.port = port
        self.store = store
        self.defaultPhoneRegion = defaultPhoneRegion
        self.maxBodyBytes = maxBodyBytes
        self.maxClockSkewMilliseconds = maxClockSkewMilliseconds
        self.webhooksAllowPrivate = webhooksAllowPrivate
        self.webhookRetrySchedule = webhookRetrySchedule
        self.messageQueue = messageQueue
        self.sessionHours = sessionHours
        self.passwordHashCost = passwordHashCost
        self.consoleAssetsFolder = consoleAssetsFolder
        self.mail = mail
        self.testClock = testClock
        self.publicURL = publicURL
    }

    /// The configuration from the command line, the environment and the defaults, in that order;
    /// an invalid value is refused with an error that names the setting.
    public init(settings: SettingSources) throws(SettingError) {
        let storeLocation = try settings.storeLocation()
        self.init(
            host: try settings.value(ServeSettings.host), port: try settings.value(ServeSettings.port), store: storeLocation,
            defaultPhoneRegion: try settings.value(ServeSettings.defaultPhoneRegion),
            maxBodyBytes: try settings.value(ServeSettings.maxBodyBytes),
            maxClockSkewMilliseconds: Int64(try settings.value(ServeSettings.maxClockSkewMs)),
            webhooksAllowPrivate: try settings.value(ServeSettings.webhooksAllowPrivate),
            webhookRetrySchedule: try settings.value(ServeSettings.webhookRetryDelays),
            messageQueue: try MessageQueueSettings(settings: settings),
            sessionHours: try settings.value(ServeSettings.sessionHours),
            passwordHashCost: try settings.value(ServeSettings.passwordHashCost),
            consoleAssetsFolder: try settings.value(ServeSettings.consoleAssets),
            mail: try MailSettings(settings: settings), testClock: try settings.value(ServeSettings.testClock),
            publicURL: try settings.value(ServeSettings.publicURL))
    }
}
