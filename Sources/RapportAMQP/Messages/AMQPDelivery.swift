import NIOCore

/// A message the broker delivered to a consumer; acknowledge it with `deliveryTag` unless the consumer is no-ack.
public struct AMQPDelivery: Sendable, Equatable {
    /// The consumer this delivery is for.
    public var consumerTag: String
    /// Channel-scoped tag to pass to `basicAck`, `basicNack` or `basicReject` on the same channel.
    public var deliveryTag: UInt64
    /// True when the message was delivered before and not acknowledged (handle it idempotently).
    public var redelivered: Bool
    /// The exchange the message was published to ("" = default exchange).
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// Content properties and headers.
    public var properties: AMQPBasicProperties
    /// The message body, assembled from all its body frames.
    public var body: ByteBuffer

    public init(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String, properties: AMQPBasicProperties, body: ByteBuffer) {
        self.consumerTag = consumerTag
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// A mandatory message the broker could not route and sent back (basic.return).
public struct AMQPReturnedMessage: Sendable, Equatable {
    /// For example 312 NO_ROUTE.
    public var replyCode: UInt16
    /// The broker's explanation, e.g. "NO_ROUTE".
    public var replyText: String
    /// Where the message was published.
    public var exchange: String
    /// The routing key that matched no queue.
    public var routingKey: String
    /// The message's properties, as published.
    public var properties: AMQPBasicProperties
    /// The message body, as published.
    public var body: ByteBuffer

    public init(replyCode: UInt16, replyText: String, exchange: String, routingKey: String, properties: AMQPBasicProperties, body: ByteBuffer) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// The broker's answer to one publish.
public enum AMQPPublishConfirm: Sendable, Equatable {
    /// The channel is not in confirm mode: the frames were written, nothing more is known.
    case sent
    /// The broker took responsibility for the message (basic.ack).
    case acked
    /// The broker could not take the message (basic.nack); publish it again or give up.
    case nacked
    /// Mandatory and unroutable: the broker returned it (basic.return) and then acknowledged it.
    case returned(AMQPReturnedMessage)
}
