import RapportCore

/// What the AMQP publisher sends where: every event (or those `filter` selects) as its CloudEvent
/// JSON, persistent, to a topic exchange with routing key `<entity>.<action>`.
public struct EventPublishing: Sendable {
    /// The topic exchange, declared durable.
    public var exchange: String
    /// A queue to declare and bind to every routing key (`#`), e.g. `crm_data`; nil: none.
    public var queue: String?
    /// Whether `queue`, when Rapport declares it, survives a broker restart. Off by default because
    /// consumers often declare the queue themselves with their client's defaults (pika: not
    /// durable), and a queue declared twice with different durability is refused by the broker.
    /// A queue that exists already is bound as it is.
    public var queueDurable: Bool
    /// Only events this filter matches are published; nil: every event.
    public var filter: SubscriptionFilter?
    /// Events published before waiting for the broker's confirms and moving the cursor.
    public var batchSize: Int

    public init(exchange: String = "rapport.events", queue: String? = nil, queueDurable: Bool = false,
                filter: SubscriptionFilter? = nil, batchSize: Int = 500) {
        self.exchange = exchange
        self.queue = queue
        self.queueDurable = queueDurable
        self.filter = filter
        self.batchSize = batchSize
    }
}
