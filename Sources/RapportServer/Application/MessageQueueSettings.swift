import RapportAMQP
import RapportSync

/// The RabbitMQ side of `rapport serve`: where the broker is, what is published to it, and which
/// queue is consumed into Rapport. Absent when no broker URL is configured.
public struct MessageQueueSettings: Sendable {
    /// The broker (`--amqp-url`); its password never appears in logs.
    public var broker: AMQPConfiguration
    /// The exchange, the optional bound queue and filter of the event publisher.
    public var publishing: EventPublishing
    /// A queue of interactions and customer changes from other systems to apply (`--amqp-inbound-queue`).
    public var inboundQueue: String?
    /// Unacknowledged inbound messages the broker may hand over at once.
    public var prefetch: Int

    public init(broker: AMQPConfiguration, publishing: EventPublishing = EventPublishing(), inboundQueue: String? = nil, prefetch: Int = 100) {
        self.broker = broker
        self.publishing = publishing
        self.inboundQueue = inboundQueue
        self.prefetch = prefetch
    }
}
