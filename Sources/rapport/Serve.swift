import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RapportCore
import RapportServer
import RapportStore

/// `rapport serve`: migrate, make sure an admin key exists, and serve the API until SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Rapport server (the default command).")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Address to listen on (env RAPPORT_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env RAPPORT_PORT, default 8080).")
    var port: Int?

    @Option(help: "Region for phone numbers without country code, ISO 3166-1 alpha-2 (env RAPPORT_DEFAULT_PHONE_REGION, default US).")
    var defaultPhoneRegion: String?

    @Option(help: "Largest accepted request body in bytes (env RAPPORT_MAX_BODY_BYTES, default 1048576).")
    var maxBodyBytes: Int?

    @Option(help: "How far ahead of this server's clock a channel's change time may be, in ms (env RAPPORT_MAX_CLOCK_SKEW_MS, default 60000).")
    var maxClockSkewMs: Int?

    @Flag(help: "Allow webhooks to loopback, private and link-local addresses (env RAPPORT_WEBHOOKS_ALLOW_PRIVATE=true).")
    var webhooksAllowPrivate = false

    @Option(help: "Waits before each webhook attempt, e.g. 0,5s,5m,30m (env RAPPORT_WEBHOOK_RETRY_DELAYS; default about three days: 0,5s,5m,30m,2h,5h,10h,14h,20h,24h).")
    var webhookRetryDelays: String?

    /// An integer setting from its flag, else its environment variable, else the default.
    private func integer(_ flag: Int?, setting: String, variable: String, default fallback: Int) throws -> Int {
        if let flag { return flag }
        guard let text = Environment.value(variable) else { return fallback }
        guard let parsed = Int(text) else { throw ValidationError("invalid setting \(setting) (\(variable)): \"\(text)\" is not a number") }
        return parsed
    }

    func configuration() throws -> ServerConfiguration {
        let portValue = try integer(port, setting: "port", variable: "RAPPORT_PORT", default: 8080)
        guard (0...65535).contains(portValue) else { throw ValidationError("invalid setting port: must be 0 to 65535") }
        let maxBody = try integer(maxBodyBytes, setting: "max-body-bytes", variable: "RAPPORT_MAX_BODY_BYTES", default: 1_048_576)
        guard maxBody >= 1_024 else { throw ValidationError("invalid setting max-body-bytes: must be at least 1024") }
        let maxSkew = try integer(maxClockSkewMs, setting: "max-clock-skew-ms", variable: "RAPPORT_MAX_CLOCK_SKEW_MS", default: 60_000)
        guard maxSkew >= 0 else { throw ValidationError("invalid setting max-clock-skew-ms: must not be negative") }
        let region = defaultPhoneRegion ?? Environment.value("RAPPORT_DEFAULT_PHONE_REGION") ?? "US"
        do {
            _ = try IdentityNormalizer(defaultRegion: region)
        } catch {
            throw ValidationError("invalid setting default-phone-region (RAPPORT_DEFAULT_PHONE_REGION): \(error.message)")
        }
        var schedule = WebhookRetrySchedule.standard
        if let listing = webhookRetryDelays ?? Environment.value("RAPPORT_WEBHOOK_RETRY_DELAYS") {
            guard let parsed = WebhookRetrySchedule(listing: listing) else {
                throw ValidationError("invalid setting webhook-retry-delays (RAPPORT_WEBHOOK_RETRY_DELAYS): \"\(listing)\" is not a list like 0,5s,5m,2h")
            }
            schedule = parsed
        }
        return ServerConfiguration(
            host: host ?? Environment.value("RAPPORT_HOST") ?? "127.0.0.1", port: portValue,
            store: try storeOptions.location(), defaultPhoneRegion: region, maxBodyBytes: maxBody,
            maxClockSkewMilliseconds: Int64(maxSkew),
            webhooksAllowPrivate: webhooksAllowPrivate || Environment.value("RAPPORT_WEBHOOKS_ALLOW_PRIVATE") == "true",
            webhookRetrySchedule: schedule)
    }

    func run() async throws {
        let configuration = try configuration()
        let logger = try storeOptions.bootstrapLogging()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let store = try await Store.open(configuration.store, logger: logger)
        do {
            let app = try buildApplication(
                configuration: configuration, store: store, logger: logger, registry: registry,
                announceFirstAdminKey: { Bootstrap.announce(secret: $0, host: configuration.host, port: configuration.port) }
            ) { port in
                logger.info("Rapport is listening", metadata: [
                    "address": "http://\(configuration.host):\(port)", "store": "\(configuration.store)",
                ])
            }
            try await app.runService()
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
}
