import ArgumentParser
import RapportCore
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RapportServer
import RapportStore

/// `rapport serve`: migrate, make sure an admin key exists, and serve the API until SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Rapport server (the default command).")

    @OptionGroup var storeOptions: StoreOptions

    // Every flag below is a setting declared in `ServeSettings` (name, help, variable, default,
    // check); `commandLine(_:)` must name each, so a new setting cannot be left without its flag.

    @Option(name: .setting(.host), help: .setting(.host))
    var host: String?

    @Option(name: .setting(.port), help: .setting(.port))
    var port: String?

    @Option(name: .setting(.defaultPhoneRegion), help: .setting(.defaultPhoneRegion))
    var defaultPhoneRegion: String?

    @Option(name: .setting(.maxBodyBytes), help: .setting(.maxBodyBytes))
    var maxBodyBytes: String?

    @Option(name: .setting(.maxClockSkewMs), help: .setting(.maxClockSkewMs))
    var maxClockSkewMs: String?

    @Flag(name: .setting(.webhooksAllowPrivate), help: .setting(.webhooksAllowPrivate))
    var webhooksAllowPrivate = false

    @Flag(name: .setting(.testClock), help: .setting(.testClock))
    var testClock = false

    @Option(name: .setting(.webhookRetryDelays), help: .setting(.webhookRetryDelays))
    var webhookRetryDelays: String?

    @Option(name: .setting(.amqpURL), help: .setting(.amqpURL))
    var amqpURL: String?

    @Option(name: .setting(.amqpExchange), help: .setting(.amqpExchange))
    var amqpExchange: String?

    @Option(name: .setting(.amqpQueue), help: .setting(.amqpQueue))
    var amqpQueue: String?

    @Flag(name: .setting(.amqpQueueDurable), help: .setting(.amqpQueueDurable))
    var amqpQueueDurable = false

    @Option(name: .setting(.amqpFilter), help: .setting(.amqpFilter))
    var amqpFilter: String?

    @Option(name: .setting(.amqpInboundQueue), help: .setting(.amqpInboundQueue))
    var amqpInboundQueue: String?

    @Option(name: .setting(.amqpPrefetch), help: .setting(.amqpPrefetch))
    var amqpPrefetch: String?

    @Option(name: .setting(.sessionHours), help: .setting(.sessionHours))
    var sessionHours: String?

    @Option(name: .setting(.passwordHashCost), help: .setting(.passwordHashCost))
    var passwordHashCost: String?

    @Option(name: .setting(.consoleAssets), help: .setting(.consoleAssets))
    var consoleAssets: String?

    @Option(name: .setting(.smtpPort), help: .setting(.smtpPort))
    var smtpPort: String?

    @Option(name: .setting(.smtpHost), help: .setting(.smtpHost))
    var smtpHost: String?

    @Option(name: .setting(.smtpHostname), help: .setting(.smtpHostname))
    var smtpHostname: String?

    @Option(name: .setting(.smtpTLSCertificate), help: .setting(.smtpTLSCertificate))
    var smtpTLSCertificate: String?

    @Option(name: .setting(.smtpTLSKey), help: .setting(.smtpTLSKey))
    var smtpTLSKey: String?

    @Option(name: .setting(.smtpMaxMessageBytes), help: .setting(.smtpMaxMessageBytes))
    var smtpMaxMessageBytes: String?

    @Option(name: .setting(.smtpSenderRate), help: .setting(.smtpSenderRate))
    var smtpSenderRate: String?

    @Option(name: .setting(.mailAttachmentMaxBytes), help: .setting(.mailAttachmentMaxBytes))
    var mailAttachmentMaxBytes: String?

    @Option(name: .setting(.mailRelay), help: .setting(.mailRelay))
    var mailRelay: String?

    @Option(name: .setting(.mailRelayUsername), help: .setting(.mailRelayUsername))
    var mailRelayUsername: String?

    @Option(name: .setting(.mailRelayPassword), help: .setting(.mailRelayPassword))
    var mailRelayPassword: String?

    @Option(name: .setting(.mailRelayCAFile), help: .setting(.mailRelayCAFile))
    var mailRelayCAFile: String?

    @Option(name: .setting(.mailboxCAFile), help: .setting(.mailboxCAFile))
    var mailboxCAFile: String?

    @Option(name: .setting(.mailRetryDelays), help: .setting(.mailRetryDelays))
    var mailRetryDelays: String?

    @Option(name: .setting(.publicURL), help: .setting(.publicURL))
    var publicURL: String?

    @Flag(help: .hidden)
    var printConfigurationTable = false

    /// The value of a setting on the command line, if given (a switch that was given is "true").
    func commandLine(_ name: SettingName) -> String? {
        switch name {
        case .dataDir, .databaseURL, .logLevel, .logFormat: storeOptions.commandLine(name)
        case .host: host
        case .port: port
        case .publicURL: publicURL
        case .defaultPhoneRegion: defaultPhoneRegion
        case .maxBodyBytes: maxBodyBytes
        case .maxClockSkewMs: maxClockSkewMs
        case .webhooksAllowPrivate: webhooksAllowPrivate ? "true" : nil
        case .testClock: testClock ? "true" : nil
        case .webhookRetryDelays: webhookRetryDelays
        case .amqpURL: amqpURL
        case .amqpExchange: amqpExchange
        case .amqpQueue: amqpQueue
        case .amqpQueueDurable: amqpQueueDurable ? "true" : nil
        case .amqpFilter: amqpFilter
        case .amqpInboundQueue: amqpInboundQueue
        case .amqpPrefetch: amqpPrefetch
        case .sessionHours: sessionHours
        case .passwordHashCost: passwordHashCost
        case .consoleAssets: consoleAssets
        case .smtpPort: smtpPort
        case .smtpHost: smtpHost
        case .smtpHostname: smtpHostname
        case .smtpTLSCertificate: smtpTLSCertificate
        case .smtpTLSKey: smtpTLSKey
        case .smtpMaxMessageBytes: smtpMaxMessageBytes
        case .smtpSenderRate: smtpSenderRate
        case .mailAttachmentMaxBytes: mailAttachmentMaxBytes
        case .mailRelay: mailRelay
        case .mailRelayUsername: mailRelayUsername
        case .mailRelayPassword: mailRelayPassword
        case .mailRelayCAFile: mailRelayCAFile
        case .mailRetryDelays: mailRetryDelays
        case .mailboxCAFile: mailboxCAFile
        }
    }

    /// The configuration from the flags, then the `RAPPORT_*` environment, then the defaults.
    func configuration() throws -> ServerConfiguration {
        let sources = SettingSources(commandLine: SettingName.allCases.commandLine(commandLine))
        return try refusingInvalid { () throws(SettingError) in try ServerConfiguration(settings: sources) }
    }

    func run() async throws {
        if printConfigurationTable {
            print(ConfigurationReference.markdownTable(), terminator: "")
            return
        }
        let configuration = try configuration()
        let logger = try storeOptions.bootstrapLogging()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let shift = configuration.testClock ? ClockShift() : nil
        if shift != nil { logger.warning("--test-clock is on: an admin may move this server's clock forward; never use it in production") }
        var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        if let shift { clock = shift.clock }
        let store = try await Store.open(configuration.store, logger: logger, clock: clock)
        do {
            let openEventSockets = OpenEventSockets()
            let app = try buildApplication(
                configuration: configuration, store: store, logger: logger, registry: registry, clockShift: shift,
                openEventSockets: openEventSockets,
                announceFirstAdminKey: { Bootstrap.announce(secret: $0, host: configuration.host, port: configuration.port) },
                announceFirstAdminLink: { Bootstrap.announce(setupLink: $0, host: configuration.host, port: configuration.port) }
            ) { port in
                logger.info("Rapport is listening", metadata: [
                    "address": "http://\(configuration.host):\(port)", "store": "\(configuration.store)",
                ])
            }
            try await servingGroup(app: app, openEventSockets: openEventSockets, onSignals: true,
                                   logger: logger).run()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// What every command does before it uses a store.
enum Bootstrap {
    /// Runs `store` only for the duration of `body`, then closes it.
    static func withStoreRunning<T: Sendable>(_ store: Store, _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                return try await body()
            }
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    static func announce(secret: String, host: String, port: Int) {
        let text = """

        ================================================================
        Rapport created the first admin API key. It is shown only once:

            \(secret)

        Try it:
            curl -H 'Authorization: Bearer \(secret)' http://\(host):\(port)/v1/departments
        ================================================================

        """
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func announce(setupLink path: String, host: String, port: Int) {
        let shownHost = host == "0.0.0.0" || host == "::" ? "localhost" : host.contains(":") ? "[\(host)]" : host
        let text = """

        ================================================================
        The console is at http://\(shownHost):\(port)/ . No admin can sign in yet:
        choose the first admin's email and password here (the link works once, for 24 hours;
        each start prints a new one until it is used):

            http://\(shownHost):\(port)\(path)

        ================================================================

        """
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
