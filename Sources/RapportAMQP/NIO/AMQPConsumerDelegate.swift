import NIOCore

/// Identifies one consumer on one connection.
struct AMQPConsumerKey: Hashable, Sendable {
    var channelID: UInt16
    var consumerTag: String
}

typealias AMQPDeliveryProducer = NIOThrowingAsyncSequenceProducer<
    AMQPDelivery, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, AMQPConsumerDelegate
>

/// Tells the connection handler, on its event loop, when a consumer's buffer drains or its reader goes away.
struct AMQPConsumerDelegate: NIOAsyncSequenceProducerDelegate {
    let key: AMQPConsumerKey
    let handler: NIOLoopBound<AMQPConnectionHandler>

    func produceMore() {
        let (handler, key) = (handler, key)
        handler.eventLoop.execute { handler.value.consumerWantsMore(key) }
    }

    func didTerminate() {
        let (handler, key) = (handler, key)
        handler.eventLoop.execute { handler.value.consumerTerminated(key) }
    }
}
