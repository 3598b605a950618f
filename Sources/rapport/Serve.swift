import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RapportAMQP
import RapportCore
import RapportServer
import RapportStore
import RapportSync

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

    @Option(help: "RabbitMQ to publish events to and consume from, e.g. amqp://guest:guest@127.0.0.1:5672/ (env RAPPORT_AMQP_URL; default none).")
    var amqpUrl: String?

    @Option(help: "Topic exchange events are published to, routing key <entity>.<action> (env RAPPORT_AMQP_EXCHANGE, default rapport.events).")
    var amqpExchange: String?

    @Option(help: "Queue to declare and bind to every routing key, e.g. crm_data (env RAPPORT_AMQP_QUEUE; default none).")
    var amqpQueue: String?

    @Flag(help: "Declare --amqp-queue durable when Rapport creates it (env RAPPORT_AMQP_QUEUE_DURABLE=true; default off, as pika declares queues).")
    var amqpQueueDurable = false

    @Option(help: "Publish only events this CEL expression selects (env RAPPORT_AMQP_FILTER; default every event).")
    var amqpFilter: String?

    @Option(help: "Queue of interactions and customer changes to apply (env RAPPORT_AMQP_INBOUND_QUEUE; default none).")
    var amqpInboundQueue: String?

    @Option(help: "Unacknowledged inbound messages at once (env RAPPORT_AMQP_PREFETCH, default 100).")
    var amqpPrefetch: Int?

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
            webhookRetrySchedule: schedule, messageQueue: try messageQueue())
    }

    /// The RabbitMQ settings, or nil when no broker URL is set.
    func messageQueue() throws -> MessageQueueSettings? {
        guard let url = amqpUrl ?? Environment.value("RAPPORT_AMQP_URL"), !url.isEmpty else { return nil }
        let broker: AMQPConfiguration
        do {
            broker = try AMQPConfiguration(url: url)
        } catch {
            throw ValidationError("invalid setting amqp-url (RAPPORT_AMQP_URL): \(error)")
        }
        let exchange = amqpExchange ?? Environment.value("RAPPORT_AMQP_EXCHANGE") ?? "rapport.events"
        guard !exchange.isEmpty, exchange.utf8.count <= 255 else {
            throw ValidationError("invalid setting amqp-exchange (RAPPORT_AMQP_EXCHANGE): must be 1 to 255 bytes")
        }
        let queue = amqpQueue ?? Environment.value("RAPPORT_AMQP_QUEUE")
        let inbound = amqpInboundQueue ?? Environment.value("RAPPORT_AMQP_INBOUND_QUEUE")
        for (setting, variable, name) in [("amqp-queue", "RAPPORT_AMQP_QUEUE", queue), ("amqp-inbound-queue", "RAPPORT_AMQP_INBOUND_QUEUE", inbound)] {
            if let name, name.isEmpty || name.utf8.count > 255 {
                throw ValidationError("invalid setting \(setting) (\(variable)): must be 1 to 255 bytes")
            }
        }
        var filter: SubscriptionFilter?
        if let text = amqpFilter ?? Environment.value("RAPPORT_AMQP_FILTER") {
            do {
                filter = .cel(try CompiledExpression(filter: text))
            } catch {
                throw ValidationError("invalid setting amqp-filter (RAPPORT_AMQP_FILTER): \(error)")
            }
        }
        let prefetch = try integer(amqpPrefetch, setting: "amqp-prefetch", variable: "RAPPORT_AMQP_PREFETCH", default: 100)
        guard (1...65_535).contains(prefetch) else { throw ValidationError("invalid setting amqp-prefetch: must be 1 to 65535") }
        let durable = amqpQueueDurable || Environment.value("RAPPORT_AMQP_QUEUE_DURABLE") == "true"
        return MessageQueueSettings(
            broker: broker,
            publishing: EventPublishing(exchange: exchange, queue: queue, queueDurable: durable, filter: filter),
            inboundQueue: inbound, prefetch: prefetch)
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
