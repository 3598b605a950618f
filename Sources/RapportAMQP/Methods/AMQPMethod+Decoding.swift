import NIOCore

extension ByteBuffer {
    /// Reads a method frame payload; throws `frameError` for ids this client does not know.
    mutating func readAMQPMethod() throws -> AMQPMethod {
        let classID = try readAMQPInteger(as: UInt16.self)
        let methodID = try readAMQPInteger(as: UInt16.self)
        switch (classID, methodID) {
        case (10, 10):
            return .connectionStart(.init(
                versionMajor: try readAMQPInteger(), versionMinor: try readAMQPInteger(),
                serverProperties: try readFieldTable(), mechanisms: try readLongString(), locales: try readLongString()))
        case (10, 11):
            return .connectionStartOk(.init(
                clientProperties: try readFieldTable(), mechanism: try readShortString(),
                response: try readLongBytes(), locale: try readShortString()))
        case (10, 30): return .connectionTune(try readTune())
        case (10, 31): return .connectionTuneOk(try readTune())
        case (10, 40):
            let virtualHost = try readShortString()
            _ = try readShortString()
            _ = try readAMQPInteger(as: UInt8.self)
            return .connectionOpen(virtualHost: virtualHost)
        case (10, 41):
            _ = try readShortString()
            return .connectionOpenOk
        case (10, 50): return .connectionClose(try readCloseReason())
        case (10, 51): return .connectionCloseOk
        case (10, 60): return .connectionBlocked(reason: try readShortString())
        case (10, 61): return .connectionUnblocked
        case (20, 10):
            _ = try readShortString()
            return .channelOpen
        case (20, 11):
            _ = try readLongBytes()
            return .channelOpenOk
        case (20, 20): return .channelFlow(active: try readAMQPInteger(as: UInt8.self) & 1 != 0)
        case (20, 21): return .channelFlowOk(active: try readAMQPInteger(as: UInt8.self) & 1 != 0)
        case (20, 40): return .channelClose(try readCloseReason())
        case (20, 41): return .channelCloseOk
        case (40, 10):
            _ = try readAMQPInteger(as: UInt16.self)
            let exchange = try readShortString()
            let type = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .exchangeDeclare(.init(
                exchange: exchange, type: type, passive: bit(bits, 0), durable: bit(bits, 1), autoDelete: bit(bits, 2),
                internal: bit(bits, 3), noWait: bit(bits, 4), arguments: try readFieldTable()))
        case (40, 11): return .exchangeDeclareOk
        case (40, 20):
            _ = try readAMQPInteger(as: UInt16.self)
            let exchange = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .exchangeDelete(exchange: exchange, ifUnused: bit(bits, 0), noWait: bit(bits, 1))
        case (40, 21): return .exchangeDeleteOk
        case (50, 10):
            _ = try readAMQPInteger(as: UInt16.self)
            let queue = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .queueDeclare(.init(
                queue: queue, passive: bit(bits, 0), durable: bit(bits, 1), exclusive: bit(bits, 2),
                autoDelete: bit(bits, 3), noWait: bit(bits, 4), arguments: try readFieldTable()))
        case (50, 11):
            return .queueDeclareOk(queue: try readShortString(), messageCount: try readAMQPInteger(), consumerCount: try readAMQPInteger())
        case (50, 20):
            _ = try readAMQPInteger(as: UInt16.self)
            let queue = try readShortString()
            let exchange = try readShortString()
            let routingKey = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .queueBind(.init(queue: queue, exchange: exchange, routingKey: routingKey, noWait: bit(bits, 0), arguments: try readFieldTable()))
        case (50, 21): return .queueBindOk
        case (50, 30):
            _ = try readAMQPInteger(as: UInt16.self)
            let queue = try readShortString()
            return .queuePurge(queue: queue, noWait: bit(try readAMQPInteger(), 0))
        case (50, 31): return .queuePurgeOk(messageCount: try readAMQPInteger())
        case (50, 40):
            _ = try readAMQPInteger(as: UInt16.self)
            let queue = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .queueDelete(queue: queue, ifUnused: bit(bits, 0), ifEmpty: bit(bits, 1), noWait: bit(bits, 2))
        case (50, 41): return .queueDeleteOk(messageCount: try readAMQPInteger())
        case (50, 50):
            _ = try readAMQPInteger(as: UInt16.self)
            return .queueUnbind(.init(
                queue: try readShortString(), exchange: try readShortString(), routingKey: try readShortString(),
                arguments: try readFieldTable()))
        case (50, 51): return .queueUnbindOk
        case (60, 10):
            return .basicQos(prefetchSize: try readAMQPInteger(), prefetchCount: try readAMQPInteger(), global: bit(try readAMQPInteger(), 0))
        case (60, 11): return .basicQosOk
        case (60, 20):
            _ = try readAMQPInteger(as: UInt16.self)
            let queue = try readShortString()
            let consumerTag = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .basicConsume(.init(
                queue: queue, consumerTag: consumerTag, noLocal: bit(bits, 0), noAck: bit(bits, 1),
                exclusive: bit(bits, 2), noWait: bit(bits, 3), arguments: try readFieldTable()))
        case (60, 21): return .basicConsumeOk(consumerTag: try readShortString())
        case (60, 30): return .basicCancel(consumerTag: try readShortString(), noWait: bit(try readAMQPInteger(), 0))
        case (60, 31): return .basicCancelOk(consumerTag: try readShortString())
        case (60, 40):
            _ = try readAMQPInteger(as: UInt16.self)
            let exchange = try readShortString()
            let routingKey = try readShortString()
            let bits = try readAMQPInteger(as: UInt8.self)
            return .basicPublish(exchange: exchange, routingKey: routingKey, mandatory: bit(bits, 0), immediate: bit(bits, 1))
        case (60, 50):
            return .basicReturn(
                replyCode: try readAMQPInteger(), replyText: try readShortString(), exchange: try readShortString(),
                routingKey: try readShortString())
        case (60, 60):
            return .basicDeliver(
                consumerTag: try readShortString(), deliveryTag: try readAMQPInteger(), redelivered: bit(try readAMQPInteger(), 0),
                exchange: try readShortString(), routingKey: try readShortString())
        case (60, 80): return .basicAck(deliveryTag: try readAMQPInteger(), multiple: bit(try readAMQPInteger(), 0))
        case (60, 90): return .basicReject(deliveryTag: try readAMQPInteger(), requeue: bit(try readAMQPInteger(), 0))
        case (60, 120):
            let deliveryTag = try readAMQPInteger(as: UInt64.self)
            let bits = try readAMQPInteger(as: UInt8.self)
            return .basicNack(deliveryTag: deliveryTag, multiple: bit(bits, 0), requeue: bit(bits, 1))
        case (85, 10): return .confirmSelect(noWait: bit(try readAMQPInteger(), 0))
        case (85, 11): return .confirmSelectOk
        default:
            throw AMQPError(.frameError, "unknown method \(classID).\(methodID)")
        }
    }

    private mutating func readTune() throws -> AMQPMethod.Tune {
        .init(channelMax: try readAMQPInteger(), frameMax: try readAMQPInteger(), heartbeat: try readAMQPInteger())
    }

    private mutating func readCloseReason() throws -> AMQPMethod.CloseReason {
        .init(replyCode: try readAMQPInteger(), replyText: try readShortString(), classID: try readAMQPInteger(), methodID: try readAMQPInteger())
    }
}
