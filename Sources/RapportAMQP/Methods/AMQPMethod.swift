/// The AMQP 0-9-1 methods this client sends or receives; class and method ids are in `AMQPMethod+IDs.swift`.
enum AMQPMethod: Sendable, Equatable {
    case connectionStart(ConnectionStart)
    case connectionStartOk(ConnectionStartOk)
    case connectionTune(Tune)
    case connectionTuneOk(Tune)
    case connectionOpen(virtualHost: String)
    case connectionOpenOk
    case connectionClose(CloseReason)
    case connectionCloseOk
    case connectionBlocked(reason: String)
    case connectionUnblocked

    case channelOpen
    case channelOpenOk
    case channelFlow(active: Bool)
    case channelFlowOk(active: Bool)
    case channelClose(CloseReason)
    case channelCloseOk

    case exchangeDeclare(ExchangeDeclare)
    case exchangeDeclareOk
    case exchangeDelete(exchange: String, ifUnused: Bool, noWait: Bool)
    case exchangeDeleteOk

    case queueDeclare(QueueDeclare)
    case queueDeclareOk(queue: String, messageCount: UInt32, consumerCount: UInt32)
    case queueBind(QueueBind)
    case queueBindOk
    case queueUnbind(QueueBind)
    case queueUnbindOk
    case queuePurge(queue: String, noWait: Bool)
    case queuePurgeOk(messageCount: UInt32)
    case queueDelete(queue: String, ifUnused: Bool, ifEmpty: Bool, noWait: Bool)
    case queueDeleteOk(messageCount: UInt32)

    case basicQos(prefetchSize: UInt32, prefetchCount: UInt16, global: Bool)
    case basicQosOk
    case basicConsume(BasicConsume)
    case basicConsumeOk(consumerTag: String)
    case basicCancel(consumerTag: String, noWait: Bool)
    case basicCancelOk(consumerTag: String)
    case basicPublish(exchange: String, routingKey: String, mandatory: Bool, immediate: Bool)
    case basicReturn(replyCode: UInt16, replyText: String, exchange: String, routingKey: String)
    case basicDeliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
    case basicAck(deliveryTag: UInt64, multiple: Bool)
    case basicReject(deliveryTag: UInt64, requeue: Bool)
    case basicNack(deliveryTag: UInt64, multiple: Bool, requeue: Bool)

    case confirmSelect(noWait: Bool)
    case confirmSelectOk

    /// connection.start: the broker's version, properties, SASL mechanisms and locales.
    struct ConnectionStart: Sendable, Equatable {
        var versionMajor: UInt8
        var versionMinor: UInt8
        var serverProperties: AMQPFieldTable
        var mechanisms: String
        var locales: String

        init(versionMajor: UInt8 = 0, versionMinor: UInt8 = 9, serverProperties: AMQPFieldTable, mechanisms: String, locales: String) {
            self.versionMajor = versionMajor
            self.versionMinor = versionMinor
            self.serverProperties = serverProperties
            self.mechanisms = mechanisms
            self.locales = locales
        }
    }

    /// connection.start-ok: the client's properties and its SASL response.
    struct ConnectionStartOk: Sendable, Equatable {
        var clientProperties: AMQPFieldTable
        var mechanism: String
        var response: [UInt8]
        var locale: String

        init(clientProperties: AMQPFieldTable, mechanism: String, response: [UInt8], locale: String) {
            self.clientProperties = clientProperties
            self.mechanism = mechanism
            self.response = response
            self.locale = locale
        }
    }

    /// connection.tune and tune-ok: limits; 0 means "no limit" for every field.
    struct Tune: Sendable, Equatable {
        var channelMax: UInt16
        var frameMax: UInt32
        var heartbeat: UInt16

        init(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
            self.channelMax = channelMax
            self.frameMax = frameMax
            self.heartbeat = heartbeat
        }
    }

    /// connection.close and channel.close: why, and which method caused it.
    struct CloseReason: Sendable, Equatable {
        var replyCode: UInt16
        var replyText: String
        var classID: UInt16
        var methodID: UInt16

        init(replyCode: UInt16, replyText: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
            self.replyCode = replyCode
            self.replyText = replyText
            self.classID = classID
            self.methodID = methodID
        }
    }

    /// exchange.declare.
    struct ExchangeDeclare: Sendable, Equatable {
        var exchange: String
        var type: String
        var passive: Bool
        var durable: Bool
        var autoDelete: Bool
        var `internal`: Bool
        var noWait: Bool
        var arguments: AMQPFieldTable

        init(exchange: String, type: String, passive: Bool = false, durable: Bool = false, autoDelete: Bool = false, internal: Bool = false, noWait: Bool = false, arguments: AMQPFieldTable = [:]) {
            self.exchange = exchange
            self.type = type
            self.passive = passive
            self.durable = durable
            self.autoDelete = autoDelete
            self.internal = `internal`
            self.noWait = noWait
            self.arguments = arguments
        }
    }

    /// queue.declare.
    struct QueueDeclare: Sendable, Equatable {
        var queue: String
        var passive: Bool
        var durable: Bool
        var exclusive: Bool
        var autoDelete: Bool
        var noWait: Bool
        var arguments: AMQPFieldTable

        init(queue: String, passive: Bool = false, durable: Bool = false, exclusive: Bool = false, autoDelete: Bool = false, noWait: Bool = false, arguments: AMQPFieldTable = [:]) {
            self.queue = queue
            self.passive = passive
            self.durable = durable
            self.exclusive = exclusive
            self.autoDelete = autoDelete
            self.noWait = noWait
            self.arguments = arguments
        }
    }

    /// queue.bind and queue.unbind (unbind has no no-wait bit; it is ignored there).
    struct QueueBind: Sendable, Equatable {
        var queue: String
        var exchange: String
        var routingKey: String
        var noWait: Bool
        var arguments: AMQPFieldTable

        init(queue: String, exchange: String, routingKey: String, noWait: Bool = false, arguments: AMQPFieldTable = [:]) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
            self.noWait = noWait
            self.arguments = arguments
        }
    }

    /// basic.consume.
    struct BasicConsume: Sendable, Equatable {
        var queue: String
        var consumerTag: String
        var noLocal: Bool
        var noAck: Bool
        var exclusive: Bool
        var noWait: Bool
        var arguments: AMQPFieldTable

        init(queue: String, consumerTag: String, noLocal: Bool = false, noAck: Bool = false, exclusive: Bool = false, noWait: Bool = false, arguments: AMQPFieldTable = [:]) {
            self.queue = queue
            self.consumerTag = consumerTag
            self.noLocal = noLocal
            self.noAck = noAck
            self.exclusive = exclusive
            self.noWait = noWait
            self.arguments = arguments
        }
    }
}
