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

    /// The RabbitMQ settings, or nil when no broker URL is set; every AMQP setting is checked
    /// either way, so a wrong one is refused at start even before a broker is configured.
    public init?(settings: SettingSources) throws(SettingError) {
        let broker = try settings.value(ServeSettings.amqpURL)
        let publishing = EventPublishing(
            exchange: try settings.value(ServeSettings.amqpExchange), queue: try settings.value(ServeSettings.amqpQueue),
            queueDurable: try settings.value(ServeSettings.amqpQueueDurable), filter: try settings.value(ServeSettings.amqpFilter))
        let inboundQueue = try settings.value(ServeSettings.amqpInboundQueue)
        let prefetch = try settings.value(ServeSettings.amqpPrefetch)
        guard let broker else { return nil }
        self.init(broker: broker, publishing: publishing, inboundQueue: inboundQueue, prefetch: prefetch)
    }
}
