import NIOCore

/// An AMQP channel: declare topology, publish, consume. Safe to share between tasks; requests on one channel are
/// answered in order, one at a time, as the protocol requires.
public final class AMQPChannel: Sendable {
    /// The channel number on its connection.
    public let id: UInt16
    /// The connection this channel belongs to.
    public let connection: AMQPConnection

    init(id: UInt16, connection: AMQPConnection) {
        self.id = id
        self.connection = connection
    }

    private var eventLoop: any EventLoop { connection.channel.eventLoop }

    private func onLoop<T: Sendable>(_ type: T.Type, _ body: @escaping @Sendable (AMQPConnectionHandler, EventLoopPromise<T>) -> Void) -> EventLoopFuture<T> {
        let promise = eventLoop.makePromise(of: T.self)
        let handler = connection.handler
        eventLoop.execute { body(handler.value, promise) }
        return promise.futureResult
    }

    @discardableResult
    private func request(_ method: AMQPMethod) async throws -> AMQPMethod {
        let id = id
        return try await onLoop(AMQPMethod.self) { $0.request(method, channelID: id, $1) }.get()
    }

    private func sendAsync(_ method: AMQPMethod) async throws {
        let id = id
        try await onLoop(Void.self) { handler, promise in
            promise.completeWith(Result { try handler.sendAsync(method, channelID: id) })
        }.get()
    }

    // MARK: Topology

    /// Declares an exchange (`passive` only checks that it exists).
    public func exchangeDeclare(name: String, type: String = "direct", passive: Bool = false, durable: Bool = true, autoDelete: Bool = false, internal: Bool = false, arguments: AMQPFieldTable = [:]) async throws {
        try await request(.exchangeDeclare(.init(exchange: name, type: type, passive: passive, durable: durable, autoDelete: autoDelete, internal: `internal`, arguments: arguments)))
    }

    /// Deletes an exchange.
    public func exchangeDelete(name: String, ifUnused: Bool = false) async throws {
        try await request(.exchangeDelete(exchange: name, ifUnused: ifUnused, noWait: false))
    }

    /// Declares a queue (`passive` only checks that it exists; a missing queue closes the channel with 404).
    /// An empty name asks the broker to make one up; the answer carries it.
    public func queueDeclare(name: String = "", passive: Bool = false, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false, arguments: AMQPFieldTable = [:]) async throws -> (name: String, messageCount: UInt32, consumerCount: UInt32) {
        let reply = try await request(.queueDeclare(.init(queue: name, passive: passive, durable: durable, exclusive: exclusive, autoDelete: autoDelete, arguments: arguments)))
        guard case .queueDeclareOk(let queue, let messageCount, let consumerCount) = reply else { throw Self.unexpected(reply) }
        return (queue, messageCount, consumerCount)
    }

    /// Binds a queue to an exchange.
    public func queueBind(queue: String, exchange: String, routingKey: String = "", arguments: AMQPFieldTable = [:]) async throws {
        try await request(.queueBind(.init(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)))
    }

    /// Removes a binding.
    public func queueUnbind(queue: String, exchange: String, routingKey: String = "", arguments: AMQPFieldTable = [:]) async throws {
        try await request(.queueUnbind(.init(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)))
    }

    /// Removes every ready message from a queue; returns how many.
    @discardableResult
    public func queuePurge(name: String) async throws -> UInt32 {
        let reply = try await request(.queuePurge(queue: name, noWait: false))
        guard case .queuePurgeOk(let count) = reply else { throw Self.unexpected(reply) }
        return count
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func queueDelete(name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        let reply = try await request(.queueDelete(queue: name, ifUnused: ifUnused, ifEmpty: ifEmpty, noWait: false))
        guard case .queueDeleteOk(let count) = reply else { throw Self.unexpected(reply) }
        return count
    }

    // MARK: Publishing

    /// Puts the channel in confirm mode: from now on every publish is acked or nacked by the broker.
    public func confirmSelect() async throws {
        try await request(.confirmSelect(noWait: false))
    }

    /// Publishes and, in confirm mode, waits for the broker's answer (`.acked`, `.nacked` or `.returned`).
    public func basicPublish(exchange: String, routingKey: String, body: ByteBuffer, properties: AMQPBasicProperties = .init(), mandatory: Bool = false) async throws -> AMQPPublishConfirm {
        try await publishPipelined(exchange: exchange, routingKey: routingKey, body: body, properties: properties, mandatory: mandatory).get()
    }

    /// Publishes bytes; see `basicPublish(exchange:routingKey:body:properties:mandatory:)`.
    public func basicPublish(exchange: String, routingKey: String, body: [UInt8], properties: AMQPBasicProperties = .init(), mandatory: Bool = false) async throws -> AMQPPublishConfirm {
        try await basicPublish(exchange: exchange, routingKey: routingKey, body: ByteBuffer(bytes: body), properties: properties, mandatory: mandatory)
    }

    /// Publishes without waiting: the future completes with the broker's answer (or `.sent` without confirm mode).
    ///
    /// For throughput, call this many times and then await the futures or `waitForConfirms()`: publishes from one
    /// task go out in call order, and writes queued together share one flush.
    public func publishPipelined(exchange: String, routingKey: String, body: ByteBuffer, properties: AMQPBasicProperties = .init(), mandatory: Bool = false) -> EventLoopFuture<AMQPPublishConfirm> {
        let id = id
        let future = onLoop(AMQPPublishConfirm.self) { handler, promise in
            handler.publish(channelID: id, exchange: exchange, routingKey: routingKey, mandatory: mandatory, properties: properties, body: body, promise)
        }
        // Callers that rely on waitForConfirms may drop the future; its failure is reported there.
        future.whenFailure { _ in }
        return future
    }

    /// Publishes bytes without waiting; see `publishPipelined(exchange:routingKey:body:properties:mandatory:)`.
    public func publishPipelined(exchange: String, routingKey: String, body: [UInt8], properties: AMQPBasicProperties = .init(), mandatory: Bool = false) -> EventLoopFuture<AMQPPublishConfirm> {
        publishPipelined(exchange: exchange, routingKey: routingKey, body: ByteBuffer(bytes: body), properties: properties, mandatory: mandatory)
    }

    /// Waits until every publish made so far on this channel is acked or nacked; throws `publishNacked` when any of
    /// them (since the previous call) was nacked, `notInConfirmMode` without `confirmSelect()`.
    public func waitForConfirms() async throws {
        let id = id
        try await onLoop(Void.self) { $0.waitForConfirms(channelID: id, $1) }.get()
    }

    // MARK: Consuming

    /// Limits unacknowledged deliveries; set it before `basicConsume` so the consumer's buffer is sized to match.
    public func basicQos(prefetchCount: UInt16, prefetchSize: UInt32 = 0, global: Bool = false) async throws {
        try await request(.basicQos(prefetchSize: prefetchSize, prefetchCount: prefetchCount, global: global))
    }

    /// Starts a consumer; iterate the result to receive deliveries. An empty tag gets a generated one.
    public func basicConsume(queue: String, consumerTag: String = "", noAck: Bool = false, exclusive: Bool = false, arguments: AMQPFieldTable = [:]) async throws -> AMQPConsumer {
        let id = id
        let consume = AMQPMethod.BasicConsume(queue: queue, consumerTag: consumerTag, noAck: noAck, exclusive: exclusive, arguments: arguments)
        return try await onLoop(AMQPConsumer.self) { $0.consume(channelID: id, consume, $1) }.get()
    }

    /// Cancels a consumer; its sequence ends after the deliveries already received.
    public func basicCancel(consumerTag: String) async throws {
        try await request(.basicCancel(consumerTag: consumerTag, noWait: false))
    }

    /// Acknowledges a delivery (`multiple`: every unacked delivery up to and including the tag).
    public func basicAck(deliveryTag: UInt64, multiple: Bool = false) async throws {
        try await sendAsync(.basicAck(deliveryTag: deliveryTag, multiple: multiple))
    }

    /// Rejects deliveries; with `requeue: false` they go to the queue's dead-letter exchange, if any.
    public func basicNack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = true) async throws {
        try await sendAsync(.basicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue))
    }

    /// Rejects one delivery.
    public func basicReject(deliveryTag: UInt64, requeue: Bool = true) async throws {
        try await sendAsync(.basicReject(deliveryTag: deliveryTag, requeue: requeue))
    }

    /// Closes the channel; pending requests and unconfirmed publishes fail with `channelClosed`.
    public func close() async throws {
        let id = id
        try await onLoop(Void.self) { $0.closeChannel(id, $1) }.get()
    }

    private static func unexpected(_ method: AMQPMethod) -> AMQPError {
        AMQPError(.unexpectedMethod, "unexpected reply \(method.id.classID).\(method.id.methodID)")
    }
}
