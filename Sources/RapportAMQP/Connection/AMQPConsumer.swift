import NIOCore

/// The deliveries of one consumer, in order. Ends when the consumer is cancelled (by `basicCancel`: normally;
/// by the broker or a closed channel: with an error). Stopping the iteration cancels the consumer.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    /// The tag the broker knows this consumer by.
    public let consumerTag: String
    let sequence: AMQPDeliveryProducer

    /// Iterates deliveries; throws when the consumer ended abnormally.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AMQPDeliveryProducer.AsyncIterator

        public mutating func next() async throws -> AMQPDelivery? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: sequence.makeAsyncIterator())
    }
}
