import Logging
import Metrics
import NIOCore
import RapportAMQP
import RapportCore
import RapportStore
import ServiceLifecycle
import Synchronization

/// Applies JSON messages from a RabbitMQ queue through the same validation and store writes as the
/// HTTP API: interactions, new customers and customer merge patches from other systems.
///
/// - The AMQP `type` property picks the change (`InboundKind`; absent means `interaction`), the body is
///   the JSON the matching HTTP route takes, and `message_id` is required: it is the idempotency key
///   (principal `amqp:<queue>`), stored in the transaction that applies the change.
/// - A delivery is acked only after that commit. A redelivered or republished message finds its
///   key and is acked without a second write; the same id with another body is refused.
/// - A message that can never apply is published, with `x-rapport-error` (the reason, by field),
///   `x-rapport-error-code` and `x-rapport-original-queue` headers, to the `rapport.dead-letter`
///   exchange (bound to `<queue>.dead-letter`), confirmed, and only then acked. If that publish
///   fails the delivery is nacked without requeue, and the queue's own `x-dead-letter-exchange`
///   moves it to the same queue (without the reason headers): never lost, never retried forever.
/// - When the store is down the delivery is requeued after a growing pause; the message is not at fault.
/// - Up to `prefetch` deliveries are applied at once; their writes share group commits. Messages
///   in one prefetch window may therefore commit out of queue order (as with several consumers);
///   use a prefetch of 1 where strict order matters (customer patches from one source).
/// - The connection is reopened with `AMQPBackoff` whenever it ends, until shutdown.
public final class InboundConsumer: Service, Sendable {
    /// The exchange that receives the messages of every inbound queue that cannot be applied.
    public static let deadLetterExchange = "rapport.dead-letter"
    /// How often one message may fail on a store that works for other requests before it is
    /// treated as the message's fault and dead-lettered.
    static let maxStoreFailuresPerMessage = 5

    let store: Store
    /// What its waits, retries and backoffs sleep on; tests give one they advance.
    let clock: any Clock<Duration>
    let access: any AccessStore
    let customers: any CustomerStore
    let interactions: any InteractionStore
    let normalizer: IdentityNormalizer
    let configuration: AMQPConfiguration
    /// The inbound queue.
    public let queue: String
    let prefetch: UInt16
    let logger: Logger
    let backoff: AMQPBackoff
    /// Who the changes are recorded as: Rapport itself, on behalf of the queue (`amqp:<queue>`).
    let actor: Actor
    /// The idempotency keys' owner.
    let principal: String
    private let state = Mutex(InboundStatus())
    /// Store failures that may be a message's fault, and what paces requeues (see `storeFailed`).
    private let failures = Mutex(StoreFailures())
    private let metrics: InboundMetrics

    /// A consumer of `queue`; `prefetch` (1-65535) is how many unacked deliveries it holds and applies at once.
    /// `configuration.connectionName` defaults to "rapport inbound <queue>" (shown by the broker).
    public init(store: Store, normalizer: IdentityNormalizer, configuration: AMQPConfiguration, queue: String, prefetch: Int,
                logger: Logger, backoff: AMQPBackoff = AMQPBackoff(),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.access = store.access
        self.customers = store.customers
        self.interactions = store.interactions
        self.normalizer = normalizer
        var configuration = configuration
        if configuration.connectionName == nil { configuration.connectionName = "rapport inbound \(queue)" }
        self.configuration = configuration
        self.queue = queue
        self.prefetch = UInt16(clamping: max(1, prefetch))
        var logger = logger
        logger[metadataKey: "amqp.queue"] = "\(queue)"
        self.logger = logger
        self.backoff = backoff
        self.principal = "amqp:\(queue)"
        // No actor kind names a queue; `.system` with the queue as id is the closest (see Actor.Kind).
        self.actor = Actor(kind: .system, id: "amqp:\(queue)")
        self.metrics = InboundMetrics(queue: queue)
    }

    /// The queue where messages that cannot be applied end up.
    public var deadLetterQueue: String { Self.deadLetterQueue(for: queue) }

    /// The dead-letter queue of an inbound queue.
    public static func deadLetterQueue(for queue: String) -> String { "\(queue).dead-letter" }

    /// Connection state and counters since start; cheap, safe from any task.
    public var status: InboundStatus { state.withLock { $0 } }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            var backoff = self.backoff
            while !Task.isCancelled {
                let end = await self.session()
                if Task.isCancelled { break }
                // A connection that consumed for a while starts the delays over; failed attempts grow them.
                if let uptime = end.connectedFor { backoff.connectionEnded(after: uptime) }
                self.state.withLock { $0.connection = .disconnected(reason: end.reason) }
                let delay = backoff.nextDelay()
                self.logger.warning("inbound AMQP connection ended; reconnecting",
                                    metadata: ["reason": "\(end.reason)", "delay": "\(delay)"])
                try await self.clock.sleep(for: delay)
                self.state.withLock { $0.connection = .connecting }
            }
        }
    }

    /// How one connection ended: how long it consumed (nil if it never got that far) and why.
    private struct SessionEnd {
        var connectedFor: Duration?
        var reason: String
    }

    /// Connects, declares the queues, and applies deliveries until the connection ends or the task is cancelled.
    private func session() async -> SessionEnd {
        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(configuration, logger: logger)
        } catch {
            return SessionEnd(connectedFor: nil, reason: "\(error)")
        }
        let consumer: AMQPConsumer
        let channel: AMQPChannel
        let deadLetters: AMQPChannel
        do {
            channel = try await connection.openChannel()
            deadLetters = try await connection.openChannel()
            try await deadLetters.confirmSelect()
            try await declareTopology(on: channel)
            try await channel.basicQos(prefetchCount: prefetch)
            consumer = try await channel.basicConsume(queue: queue)
        } catch {
            logger.error("inbound AMQP setup failed", metadata: ["error": "\(error)"])
            try? await connection.close()
            return SessionEnd(connectedFor: nil, reason: "\(error)")
        }
        let connectedAt = ContinuousClock.now
        state.withLock {
            $0.connection = .connected
            $0.connections += 1
        }
        logger.info("inbound AMQP consumer running", metadata: ["prefetch": "\(prefetch)"])
        var reason = "shutting down"
        // Deliveries still being applied when the connection ends finish their writes; their acks
        // fail, the broker redelivers them, and the idempotency key makes the retry a replay.
        await withDiscardingTaskGroup { group in
            do {
                for try await delivery in consumer {
                    group.addTask { await self.handle(delivery, channel: channel, deadLetters: deadLetters) }
                }
                if !Task.isCancelled { reason = "the broker cancelled the consumer" }
            } catch is CancellationError {
                reason = "shutting down"
            } catch {
                reason = "\(error)"
            }
        }
        if connection.isOpen {
            try? await connection.close()
        } else if let closed = await connection.waitUntilClosed() {
            reason = "\(closed)"
        }
        return SessionEnd(connectedFor: ContinuousClock.now - connectedAt, reason: reason)
    }

    /// The inbound queue dead-letters to `rapport.dead-letter` with the queue's name as routing key,
    /// whatever key the message was published with, so the safety net lands in `<queue>.dead-letter` too.
    private func declareTopology(on channel: AMQPChannel) async throws {
        try await channel.exchangeDeclare(name: Self.deadLetterExchange, type: "direct", durable: true)
        _ = try await channel.queueDeclare(name: deadLetterQueue, durable: true)
        try await channel.queueBind(queue: deadLetterQueue, exchange: Self.deadLetterExchange, routingKey: queue)
        _ = try await channel.queueDeclare(name: queue, durable: true, arguments: [
            "x-dead-letter-exchange": .string(Self.deadLetterExchange),
            "x-dead-letter-routing-key": .string(queue),
        ])
    }

    // MARK: One delivery

    /// What applying one message came to.
    enum Outcome: Sendable, Equatable {
        case applied
        case replayed
        case rejected(InboundRejection)
        /// The store could not be reached or failed for a reason that is not the message's.
        case storeFailed(String)
    }

    private func handle(_ delivery: AMQPDelivery, channel: AMQPChannel, deadLetters: AMQPChannel) async {
        let message: InboundMessage
        do throws(InboundRejection) {
            message = try InboundMessage.read(properties: delivery.properties, body: Array(delivery.body.readableBytesView), normalizer: normalizer)
        } catch {
            await deadLetter(delivery, error, channel: channel, deadLetters: deadLetters)
            return
        }
        switch await apply(message, redelivered: delivery.redelivered) {
        case .applied:
            await ack(delivery, on: channel, messageID: message.messageID) { $0.applied += 1 }
            metrics.applied.increment()
        case .replayed:
            await ack(delivery, on: channel, messageID: message.messageID) { $0.replayed += 1 }
            metrics.replayed.increment()
        case .rejected(let rejection):
            await deadLetter(delivery, rejection, channel: channel, deadLetters: deadLetters)
            _ = failures.withLock { $0.perMessage.removeValue(forKey: message.messageID) }
        case .storeFailed(let reason):
            await storeFailed(delivery, message: message, reason: reason, channel: channel, deadLetters: deadLetters)
        }
    }

    /// Applies the change and remembers the message id in one transaction.
    func apply(_ message: InboundMessage, redelivered: Bool) async -> Outcome {
        let claim = IdempotencyClaim(principal: principal, key: message.messageID, requestHash: message.requestHash)
        let actor = actor
        do {
            // A redelivery was most likely committed before its ack was lost: look first, outside the writer.
            if redelivered, try await self.access.replay(claim) != nil { return .replayed }
            let prefetch: WritePrefetch = if case .interaction(let new) = message.change { .ingest(new) } else { .nothing }
            // The content's analysis for routing, before the write and off the writer.
            let prepared = if case .interaction(let new) = message.change { interactions.prepareIngest(new) } else { PreparedRouting?.none }
            let replayed = try await store.write(prefetch: prefetch) { tx in
                // Checked again in the writer: two deliveries of one id may be in the same batch.
                if try await self.access.replay(claim, in: tx) != nil { return true }
                let response = try await self.perform(message.change, prepared: prepared, in: tx, actor: actor)
                try await self.access.remember(response, for: claim, in: tx)
                return false
            }
            return replayed ? .replayed : .applied
        } catch let error as StoreError {
            switch error.code {
            case .idempotencyMismatch:
                return .rejected(InboundRejection(.messageIDReused, field: "message_id",
                                                  "message id \(message.messageID) reused with another body (or type)"))
            case .unavailable:
                return .storeFailed(error.description)
            default:
                return .rejected(InboundRejection(.refused, field: error.field ?? Self.field(of: message.kind), error.message))
            }
        } catch {
            return .storeFailed(String(reflecting: error))
        }
    }

    /// The field a store error without one is about.
    private static func field(of kind: InboundKind) -> String {
        kind == .customerPatch ? "customer_id" : "body"
    }

    /// The same store functions the HTTP routes call. The stored response is small: there is nobody
    /// to replay it to, only the fact that the message was applied matters.
    private func perform(_ change: InboundMessage.Change, prepared: PreparedRouting?, in tx: WriteTransaction,
                         actor: Actor) async throws -> StoredResponse {
        switch change {
        case .interaction(let new):
            let result = try await self.interactions.ingestInteraction(new, actor: actor, prepared: prepared, in: tx)
            return StoredResponse(status: result.created ? 201 : 200, body: [], location: "/v1/interactions/\(result.interaction.id)")
        case .customer(let new):
            let customer = try await self.customers.createCustomer(new, actor: actor, channelID: nil, in: tx)
            return StoredResponse(status: 201, body: [], etag: customer.etag, location: "/v1/customers/\(customer.id)")
        case .customerPatch(let id, let patch):
            let customer = try await self.customers.patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor, in: tx)
            return StoredResponse(status: 200, body: [], etag: customer.etag, location: "/v1/customers/\(customer.id)")
        }
    }

    private func ack(_ delivery: AMQPDelivery, on channel: AMQPChannel, messageID: String, count: (inout InboundStatus) -> Void) async {
        failures.withLock { $0.succeeded(messageID) }
        do {
            try await channel.basicAck(deliveryTag: delivery.deliveryTag)
            state.withLock { count(&$0) }
        } catch {
            // Committed but not acked: the broker redelivers it and the message id replays it.
            logger.debug("ack failed after commit", metadata: ["message_id": "\(messageID)", "error": "\(error)"])
        }
    }

    /// Requeues after a pause that grows while the store keeps failing. A message that fails again
    /// and again while the store answers and applies other messages in between is dead-lettered
    /// instead: it must be what breaks the write. While every message fails (a database outage, a
    /// broken schema) nothing is blamed and nothing leaves the queue.
    private func storeFailed(_ delivery: AMQPDelivery, message: InboundMessage, reason: String, channel: AMQPChannel,
                             deadLetters: AMQPChannel) async {
        let storeAnswers = await store.ping()
        let (attempts, consecutive) = failures.withLock { $0.failed(message.messageID, storeAnswers: storeAnswers) }
        if attempts >= Self.maxStoreFailuresPerMessage {
            _ = failures.withLock { $0.perMessage.removeValue(forKey: message.messageID) }
            logger.error("inbound message keeps failing while the store works; dead-lettering it",
                         metadata: ["message_id": "\(message.messageID)", "error": "\(reason)"])
            await deadLetter(delivery, InboundRejection(.failedRepeatedly, field: "body",
                                                        "the store failed to apply this message \(attempts) times"),
                             channel: channel, deadLetters: deadLetters)
            return
        }
        logger.warning("store failed; requeueing inbound message", metadata: [
            "message_id": "\(message.messageID)", "error": "\(reason)", "store_answers": "\(storeAnswers)",
        ])
        // 100 ms doubling to 5 s: a database restart is ridden out without spinning through the queue.
        let pause = Duration.milliseconds(min(5_000, 100 << min(consecutive - 1, 6)))
        try? await self.clock.sleep(for: pause)
        do {
            try await channel.basicNack(deliveryTag: delivery.deliveryTag, requeue: true)
            state.withLock { $0.requeued += 1 }
            metrics.requeued.increment()
        } catch {
            logger.debug("requeue failed; the broker redelivers on reconnect", metadata: ["error": "\(error)"])
        }
    }

    func countDeadLetter() {
        state.withLock { $0.deadLettered += 1 }
        metrics.deadLettered.increment()
    }
}

/// Who to blame for store failures. Pure bookkeeping, so the rule is testable without a store.
struct StoreFailures: Sendable {
    /// Per message id: failures counted against it, and the successes seen at its last failure.
    var perMessage: [String: (attempts: Int, successesSeen: Int)] = [:]
    /// Messages applied since start.
    var successes = 0
    /// Failures since the last success; paces requeues.
    var consecutive = 0

    mutating func succeeded(_ messageID: String) {
        successes += 1
        consecutive = 0
        if !perMessage.isEmpty { perMessage.removeValue(forKey: messageID) }
    }

    /// Records a failure; returns the failures counted against the message and the consecutive failures.
    /// A failure counts against the message only while the store answers and, after its first one,
    /// only if another message was applied since its previous failure.
    mutating func failed(_ messageID: String, storeAnswers: Bool) -> (attempts: Int, consecutive: Int) {
        consecutive += 1
        guard storeAnswers else { return (perMessage[messageID]?.attempts ?? 0, consecutive) }
        var entry = perMessage[messageID] ?? (attempts: 0, successesSeen: -1)
        if entry.successesSeen < successes { entry.attempts += 1 }
        entry.successesSeen = successes
        perMessage[messageID] = entry
        return (entry.attempts, consecutive)
    }
}

/// Counters exported to Prometheus: `rapport_amqp_inbound_messages_total{queue, outcome}`.
struct InboundMetrics: Sendable {
    let applied: Counter
    let replayed: Counter
    let deadLettered: Counter
    let requeued: Counter

    init(queue: String) {
        func counter(_ outcome: String) -> Counter {
            Counter(label: "rapport_amqp_inbound_messages_total", dimensions: [("queue", queue), ("outcome", outcome)])
        }
        applied = counter("applied")
        replayed = counter("replayed")
        deadLettered = counter("dead_lettered")
        requeued = counter("requeued")
    }
}
