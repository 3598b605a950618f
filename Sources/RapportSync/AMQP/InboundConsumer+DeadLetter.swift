import NIOCore
import RapportAMQP

extension InboundConsumer {
    /// The headers a dead letter carries besides the publisher's own.
    public enum DeadLetterHeader {
        /// Why the message cannot be applied: `field: message` pairs joined by "; ".
        public static let error = "x-rapport-error"
        /// The kind of problem (`InboundRejection.Code`), for sorting without parsing the reason.
        public static let errorCode = "x-rapport-error-code"
        /// The inbound queue the message came from.
        public static let originalQueue = "x-rapport-original-queue"
    }

    /// The properties of a dead letter: the original ones with the reason added, and persistent,
    /// since the dead-letter queue is where a message must not be lost.
    static func deadLetterProperties(_ original: AMQPBasicProperties, rejection: InboundRejection, queue: String) -> AMQPBasicProperties {
        var properties = original
        var headers = properties.headers ?? [:]
        headers[DeadLetterHeader.error] = .string(rejection.reason)
        headers[DeadLetterHeader.errorCode] = .string(rejection.code.rawValue)
        headers[DeadLetterHeader.originalQueue] = .string(queue)
        properties.headers = headers
        properties.deliveryMode = 2
        return properties
    }

    /// Publishes the message with its reason to the dead-letter exchange, waits for the broker's
    /// confirm, then acks the original. If the publish is not confirmed, the original is nacked
    /// without requeue so the queue's own dead-letter exchange keeps it (without the reason).
    func deadLetter(_ delivery: AMQPDelivery, _ rejection: InboundRejection, channel: AMQPChannel, deadLetters: AMQPChannel) async {
        logger.info("dead-lettering inbound message", metadata: [
            "message_id": "\(delivery.properties.messageID ?? "")", "error": "\(rejection)",
        ])
        let properties = Self.deadLetterProperties(delivery.properties, rejection: rejection, queue: queue)
        do {
            // Mandatory: a dead-letter queue that lost its binding returns the message instead of dropping it.
            let confirm = try await deadLetters.basicPublish(exchange: Self.deadLetterExchange, routingKey: queue,
                                                              body: delivery.body, properties: properties, mandatory: true)
            guard confirm == .acked else {
                throw AMQPError(.publishNacked, confirm == .nacked ? "the broker nacked the dead letter" : "the dead letter was not routed to a queue")
            }
        } catch {
            logger.warning("dead-letter publish failed; rejecting to the queue's dead-letter exchange",
                           metadata: ["message_id": "\(delivery.properties.messageID ?? "")", "error": "\(error)"])
            do {
                try await channel.basicNack(deliveryTag: delivery.deliveryTag, requeue: false)
                countDeadLetter()
            } catch {
                logger.debug("reject failed; the broker redelivers on reconnect", metadata: ["error": "\(error)"])
            }
            return
        }
        do {
            try await channel.basicAck(deliveryTag: delivery.deliveryTag)
            countDeadLetter()
        } catch {
            // Dead-lettered but not acked: the redelivery is rejected again and may leave a second copy.
            logger.debug("ack after dead-letter failed", metadata: ["error": "\(error)"])
        }
    }
}
