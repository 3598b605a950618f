import NIOCore

extension ByteBuffer {
    /// Writes class-id, method-id and the arguments in spec order; `reserved` fields are written as their zero value.
    mutating func writeAMQPMethod(_ method: AMQPMethod) throws {
        let id = method.id
        writeInteger(id.classID)
        writeInteger(id.methodID)
        switch method {
        case .connectionStart(let m):
            writeInteger(m.versionMajor)
            writeInteger(m.versionMinor)
            try writeFieldTable(m.serverProperties)
            writeLongString(m.mechanisms)
            writeLongString(m.locales)
        case .connectionStartOk(let m):
            try writeFieldTable(m.clientProperties)
            try writeShortString(m.mechanism)
            writeLongBytes(m.response)
            try writeShortString(m.locale)
        case .connectionTune(let t), .connectionTuneOk(let t):
            writeInteger(t.channelMax)
            writeInteger(t.frameMax)
            writeInteger(t.heartbeat)
        case .connectionOpen(let virtualHost):
            try writeShortString(virtualHost)
            try writeShortString("")  // capabilities (reserved)
            writeInteger(UInt8(0))  // insist (reserved)
        case .connectionOpenOk:
            try writeShortString("")  // known-hosts (reserved)
        case .connectionClose(let r), .channelClose(let r):
            writeInteger(r.replyCode)
            try writeShortString(r.replyText)
            writeInteger(r.classID)
            writeInteger(r.methodID)
        case .connectionBlocked(let reason):
            try writeShortString(reason)
        case .connectionCloseOk, .connectionUnblocked, .channelCloseOk, .exchangeDeclareOk, .exchangeDeleteOk,
             .queueBindOk, .queueUnbindOk, .basicQosOk, .confirmSelectOk:
            break
        case .channelOpen:
            try writeShortString("")  // out-of-band (reserved)
        case .channelOpenOk:
            writeLongString("")  // channel-id (reserved)
        case .channelFlow(let active), .channelFlowOk(let active):
            writeInteger(UInt8(active ? 1 : 0))
        case .exchangeDeclare(let m):
            writeInteger(UInt16(0))  // ticket (reserved)
            try writeShortString(m.exchange)
            try writeShortString(m.type)
            writeInteger(packBits(m.passive, m.durable, m.autoDelete, m.internal, m.noWait))
            try writeFieldTable(m.arguments)
        case .exchangeDelete(let exchange, let ifUnused, let noWait):
            writeInteger(UInt16(0))
            try writeShortString(exchange)
            writeInteger(packBits(ifUnused, noWait))
        case .queueDeclare(let m):
            writeInteger(UInt16(0))
            try writeShortString(m.queue)
            writeInteger(packBits(m.passive, m.durable, m.exclusive, m.autoDelete, m.noWait))
            try writeFieldTable(m.arguments)
        case .queueDeclareOk(let queue, let messageCount, let consumerCount):
            try writeShortString(queue)
            writeInteger(messageCount)
            writeInteger(consumerCount)
        case .queueBind(let m):
            writeInteger(UInt16(0))
            try writeShortString(m.queue)
            try writeShortString(m.exchange)
            try writeShortString(m.routingKey)
            writeInteger(packBits(m.noWait))
            try writeFieldTable(m.arguments)
        case .queueUnbind(let m):
            writeInteger(UInt16(0))
            try writeShortString(m.queue)
            try writeShortString(m.exchange)
            try writeShortString(m.routingKey)
            try writeFieldTable(m.arguments)
        case .queuePurge(let queue, let noWait):
            writeInteger(UInt16(0))
            try writeShortString(queue)
            writeInteger(packBits(noWait))
        case .queuePurgeOk(let messageCount), .queueDeleteOk(let messageCount):
            writeInteger(messageCount)
        case .queueDelete(let queue, let ifUnused, let ifEmpty, let noWait):
            writeInteger(UInt16(0))
            try writeShortString(queue)
            writeInteger(packBits(ifUnused, ifEmpty, noWait))
        case .basicQos(let prefetchSize, let prefetchCount, let global):
            writeInteger(prefetchSize)
            writeInteger(prefetchCount)
            writeInteger(packBits(global))
        case .basicConsume(let m):
            writeInteger(UInt16(0))
            try writeShortString(m.queue)
            try writeShortString(m.consumerTag)
            writeInteger(packBits(m.noLocal, m.noAck, m.exclusive, m.noWait))
            try writeFieldTable(m.arguments)
        case .basicConsumeOk(let consumerTag), .basicCancelOk(let consumerTag):
            try writeShortString(consumerTag)
        case .basicCancel(let consumerTag, let noWait):
            try writeShortString(consumerTag)
            writeInteger(packBits(noWait))
        case .basicPublish(let exchange, let routingKey, let mandatory, let immediate):
            writeInteger(UInt16(0))
            try writeShortString(exchange)
            try writeShortString(routingKey)
            writeInteger(packBits(mandatory, immediate))
        case .basicReturn(let replyCode, let replyText, let exchange, let routingKey):
            writeInteger(replyCode)
            try writeShortString(replyText)
            try writeShortString(exchange)
            try writeShortString(routingKey)
        case .basicDeliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            try writeShortString(consumerTag)
            writeInteger(deliveryTag)
            writeInteger(packBits(redelivered))
            try writeShortString(exchange)
            try writeShortString(routingKey)
        case .basicAck(let deliveryTag, let multiple):
            writeInteger(deliveryTag)
            writeInteger(packBits(multiple))
        case .basicReject(let deliveryTag, let requeue):
            writeInteger(deliveryTag)
            writeInteger(packBits(requeue))
        case .basicNack(let deliveryTag, let multiple, let requeue):
            writeInteger(deliveryTag)
            writeInteger(packBits(multiple, requeue))
        case .confirmSelect(let noWait):
            writeInteger(packBits(noWait))
        }
    }
}
