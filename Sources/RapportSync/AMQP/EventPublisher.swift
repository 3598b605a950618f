import Foundation
import Logging
import NIOCore
import RapportAMQP
import RapportCore
import RapportStore
import ServiceLifecycle

/// Publishes the event log to a RabbitMQ topic exchange (AMQP 0-9-1), at least once and in log order.
///
/// A consumer of the log named `amqp`: it publishes a batch of events on one channel in confirm
/// mode, waits for the broker's confirms, and only then moves its cursor. If the broker goes
/// away, nacks, or Rapport is killed, the batch is published again from the cursor after
/// reconnecting, so an event may arrive twice (deduplicate by the CloudEvent id, which is also
/// the message id) but is never lost, and one channel keeps each customer's events in order.
/// On its first run the cursor starts at the head of the log: history is not replayed into a
/// broker that never asked for it. In a cluster one node publishes, the one holding the
/// publisher's lease (renewed every few seconds, taken over by another node when it lapses);
/// the others stand by.
public actor EventPublisher: Service {
    static let consumerName = "amqp"
    /// How long the lease lasts without renewal, and how often the publishing node renews it.
    static let lease = Duration.seconds(10)
    static let renewal = Duration.seconds(3)
    /// This node's name on the lease.
    let node = "node-" + String(UUID().uuidString.prefix(8)).lowercased()
    let store: Store
    /// What its waits, retries and backoffs sleep on; tests give one they advance.
    let clock: any Clock<Duration>
    let events: any EventStore
    let configuration: AMQPConfiguration
    let publishing: EventPublishing
    let logger: Logger
    private var link = AMQPLinkState()

    public init(store: Store, configuration: AMQPConfiguration, publishing: EventPublishing, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.events = store.events
        self.configuration = configuration
        self.publishing = publishing
        self.logger = logger
    }

    /// How the link to the broker stands.
    public var state: AMQPLinkState { link }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            guard var position = try await retryingStart("AMQP publisher", logger: self.logger, clock: self.clock, { try await self.startingPosition() }) else {
                return
            }
            var backoff = AMQPBackoff()
            while !Task.isCancelled {
                let opened = ContinuousClock.now
                do {
                    guard try await self.claimLease() else {
                        await self.standBy()
                        try await self.clock.sleep(for: Self.renewal)
                        continue
                    }
                    // Another node may have published since this one last did.
                    position = max(position, try await self.events.consumerPosition(Self.consumerName) ?? position)
                    position = try await self.publishWhileConnected(from: position)
                } catch is CancellationError {
                    break
                } catch {
                    await self.linkDown(error)
                    backoff.connectionEnded(after: ContinuousClock.now - opened)
                    let delay = backoff.nextDelay()
                    self.logger.warning("AMQP publisher disconnected; reconnecting", metadata: [
                        "error": "\(error)", "retry_in_ms": "\(delay.nanoseconds / 1_000_000)"])
                    try? await self.clock.sleep(for: delay)
                }
            }
            await self.linkDown(nil)
            // Given up in a task of its own: this one is cancelled, and a cancelled task's database
            // request would be refused before it was sent.
            let (store, node) = (self.store, self.node)
            await Task { try? await store.write { tx in try await self.events.releaseConsumerLease(Self.consumerName, owner: node, in: tx) } }.value
        }
    }

    /// Takes or renews this node's lease on publishing; false while another node holds it.
    private func claimLease() async throws -> Bool {
        let (node, until) = (self.node, Timestamp(microseconds: Timestamp.now().microseconds + Self.lease.nanoseconds / 1_000))
        return try await store.write { tx in try await self.events.claimConsumerLease(Self.consumerName, owner: node, until: until, in: tx) }
    }

    private func standBy() {
        link.connected = false
        link.standby = true
    }

    /// The saved cursor, or the head of the log on the first run (saved at once, so events
    /// committed while the broker cannot be reached are published once it can).
    private func startingPosition() async throws -> Int64 {
        if let saved = try await self.events.consumerPosition(Self.consumerName) { return saved }
        // A first run starts at the head; a node starting at the same time takes the position the
        // first one set rather than a later head of its own (which would skip what came between).
        return try await self.events.startConsumerPosition(Self.consumerName, at: try await self.events.eventLogHead())
    }

    /// Connects, declares, and publishes until the connection fails (thrown) or the task is cancelled;
    /// returns the cursor reached.
    private func publishWhileConnected(from start: Int64) async throws -> Int64 {
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        var position = start
        do {
            let channel = try await declare(on: connection)
            try await channel.confirmSelect()
            linkUp()
            logger.info("AMQP publisher connected", metadata: ["broker": "\(configuration)", "exchange": "\(publishing.exchange)"])
            var renewed = ContinuousClock.now
            while !Task.isCancelled {
                guard connection.isOpen else { throw AMQPPublisherError.connectionClosed(await connection.waitUntilClosed()) }
                if ContinuousClock.now - renewed >= Self.renewal {
                    guard try await claimLease() else { throw AMQPPublisherError.leaseLost }
                    renewed = ContinuousClock.now
                }
                let events = try await self.events.events(after: position, limit: publishing.batchSize)
                guard let last = events.last else {
                    // Woken by the next commit; the timeout only bounds how late a closed connection is noticed.
                    await store.waitForCommit(after: position, timeout: .seconds(1))
                    continue
                }
                let published = try await publish(events, on: channel)
                position = last.sequence
                try await self.events.saveConsumerPosition(Self.consumerName, position)
                link.messages += published
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
        return position
    }

    /// The exchange, and the bound queue when one is configured (bound as it is when it exists).
    private func declare(on connection: AMQPConnection) async throws -> AMQPChannel {
        var channel = try await connection.openChannel()
        try await channel.exchangeDeclare(name: publishing.exchange, type: "topic", durable: true)
        guard let queue = publishing.queue else { return channel }
        do {
            _ = try await channel.queueDeclare(name: queue, passive: true)
        } catch let error as AMQPError where error.replyCode == 404 {
            // A passive declare of a missing queue closes the channel: declare it on a new one.
            channel = try await connection.openChannel()
            _ = try await channel.queueDeclare(name: queue, durable: publishing.queueDurable)
        }
        try await channel.queueBind(queue: queue, exchange: publishing.exchange, routingKey: "#")
        return channel
    }

    /// Publishes the events the filter selects, pipelined, and waits until the broker confirms them all.
    private func publish(_ events: [Event], on channel: AMQPChannel) async throws -> Int {
        var published = 0
        for event in events where EventVisibility.allows(.broker, toSee: event) && (publishing.filter?.matches(event) ?? true) {
            _ = channel.publishPipelined(exchange: publishing.exchange, routingKey: event.routingKey,
                                         body: ByteBuffer(bytes: event.cloudEvent.serialized()), properties: Self.properties(of: event))
            published += 1
        }
        if published > 0 { try await channel.waitForConfirms() }
        return published
    }

    /// Persistent, typed as CloudEvents JSON, with the CloudEvent id as message id.
    static func properties(of event: Event) -> AMQPBasicProperties {
        var properties = AMQPBasicProperties.persistent
        properties.contentType = "application/cloudevents+json"
        properties.messageID = event.id
        properties.timestamp = UInt64(max(0, event.time.microseconds / 1_000_000))
        properties.type = event.type
        properties.appID = "rapport"
        properties.headers = ["rapport-sequence": .int64(event.sequence), "rapport-subject": .string(event.subject)]
        return properties
    }

    private func linkUp() {
        link.connected = true
        link.standby = false
        link.since = .now()
        link.lastError = nil
        link.connections += 1
    }

    private func linkDown(_ error: (any Error)?) {
        if link.connected { link.since = .now() }
        link.connected = false
        if let error { link.lastError = "\(error)" }
    }
}

/// Why the publisher's connection ended when the broker gave no error of its own.
enum AMQPPublisherError: Error, CustomStringConvertible {
    case connectionClosed(AMQPError?)
    /// Another node took the lease (this one could not renew it in time): it publishes from the cursor.
    case leaseLost

    var description: String {
        switch self {
        case .connectionClosed(let reason): return reason.map { "connection closed: \($0)" } ?? "connection closed"
        case .leaseLost: return "another node took over publishing"
        }
    }
}
