import Logging
import NIOCore

/// Owns the connection and channel state machines on the event loop and performs their actions.
///
/// Every method is called on the event loop: the public `AMQPConnection`/`AMQPChannel` types hop here.
final class AMQPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = AMQPFrame
    typealias OutboundIn = AMQPOutbound
    typealias OutboundOut = AMQPOutbound
    typealias ChannelMachine = ChannelStateMachine<EventLoopPromise<AMQPMethod>, EventLoopPromise<AMQPPublishConfirm>>

    /// What the handshake yields.
    struct Handshake: Sendable {
        var negotiated: ConnectionStateMachine.Negotiated
        var serverProperties: AMQPFieldTable
    }

    private struct ChannelEntry {
        var machine: ChannelMachine
        var consumers: [String: AMQPDeliveryProducer.Source] = [:]
        var confirmWaiters: [(tag: UInt64, promise: EventLoopPromise<Void>)] = []
        var nacksSinceLastWait = 0
        var prefetchCount: UInt16 = 0
    }

    private var stateMachine: ConnectionStateMachine
    private var context: ChannelHandlerContext?
    private var channels: [UInt16: ChannelEntry] = [:]
    private var negotiated: ConnectionStateMachine.Negotiated?
    private let handshakePromise: EventLoopPromise<Handshake>
    private var handshakeDone = false
    /// Succeeds when the connection closes as the client asked, fails with the reason otherwise.
    let closedPromise: EventLoopPromise<Void>
    private var closeRequests: [EventLoopPromise<Void>] = []
    private var heartbeatTask: RepeatedTask?
    private var logger: Logger
    private let state: AMQPConnectionSharedState
    /// Consumers whose buffer is full: while any exist, reads from the socket stop (TCP backpressure).
    private var pausedConsumers: Set<AMQPConsumerKey> = []
    private var readHeld = false
    private var flushScheduled = false
    private var nextConsumerNumber = 1

    init(settings: ConnectionStateMachine.Settings, handshakePromise: EventLoopPromise<Handshake>, closedPromise: EventLoopPromise<Void>, state: AMQPConnectionSharedState, logger: Logger) {
        self.stateMachine = ConnectionStateMachine(settings: settings)
        self.handshakePromise = handshakePromise
        self.closedPromise = closedPromise
        self.state = state
        self.logger = logger
    }

    // MARK: Channel pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { run(stateMachine.connected()) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        run(stateMachine.connected())
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(stateMachine.socketClosed())
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        run(stateMachine.received(unwrapInboundIn(data)))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushNow()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("AMQP connection error", metadata: ["error": "\(error)"])
        run(stateMachine.errorCaught(error))
    }

    func read(context: ChannelHandlerContext) {
        if pausedConsumers.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    // MARK: Connection actions

    private func run(_ action: ConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .sendProtocolHeader:
            context.writeAndFlush(wrapOutboundOut(.protocolHeader), promise: nil)
        case .send(let frames):
            context.write(wrapOutboundOut(.frames(frames)), promise: nil)
            scheduleFlush()
        case .connected(let negotiated, let serverProperties):
            self.negotiated = negotiated
            startHeartbeats(negotiated.heartbeat, context: context)
            handshakeDone = true
            logger.debug("AMQP connection open", metadata: ["frame_max": "\(negotiated.frameMax)", "heartbeat": "\(negotiated.heartbeat)"])
            handshakePromise.succeed(Handshake(negotiated: negotiated, serverProperties: serverProperties))
        case .closeSocket:
            flushNow()
            context.close(promise: nil)
        case .sendAndCloseSocket(let frames, _):
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.frames(frames))).whenComplete { _ in bound.value.close(promise: nil) }
        case .reportClosed(let reason):
            reportClosed(reason)
        case .forward(let frame):
            guard channels[frame.channel] != nil else {
                logger.debug("AMQP frame for unknown channel", metadata: ["channel": "\(frame.channel)"])
                return
            }
            run(channels[frame.channel]!.machine.received(frame), channelID: frame.channel)
        case .blocked(let reason):
            logger.warning("AMQP connection blocked by the broker", metadata: ["reason": "\(reason)"])
            state.setBlocked(true)
        case .unblocked:
            logger.info("AMQP connection unblocked")
            state.setBlocked(false)
        }
    }

    private func reportClosed(_ reason: AMQPError?) {
        heartbeatTask?.cancel()
        heartbeatTask = nil
        if !handshakeDone {
            handshakeDone = true
            handshakePromise.fail(reason ?? AMQPError(.connectionClosed, "connection closed during the handshake"))
        }
        let channelError = reason ?? AMQPError(.connectionClosed, "connection closed by the client")
        for id in Array(channels.keys) {
            guard channels[id] != nil else { continue }
            run(channels[id]!.machine.connectionClosed(channelError), channelID: id)
        }
        channels.removeAll()
        pausedConsumers.removeAll()
        for promise in closeRequests { promise.succeed() }
        closeRequests.removeAll()
        if let reason {
            logger.info("AMQP connection closed", metadata: ["reason": "\(reason)"])
            closedPromise.fail(reason)
        } else {
            closedPromise.succeed()
        }
    }

    private func startHeartbeats(_ heartbeat: UInt16, context: ChannelHandlerContext) {
        guard heartbeat > 0 else { return }
        // Ticks at half the interval: a heartbeat goes out each tick, and four silent ticks mean two missed intervals.
        let interval = TimeAmount.milliseconds(Int64(heartbeat) * 500)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.run(bound.value.stateMachine.heartbeatTick())
        }
    }

    private func scheduleFlush() {
        // Writes queued by tasks that are already waiting on the loop (a burst of pipelined publishes) share one flush.
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { bound.value.flushNow() }
    }

    private func flushNow() {
        flushScheduled = false
        context?.flush()
    }

    // MARK: Channel actions

    private func run(_ actions: [ChannelMachine.Action], channelID: UInt16) {
        for action in actions {
            switch action {
            case .send(let frames):
                context?.write(wrapOutboundOut(.frames(frames)), promise: nil)
                scheduleFlush()
            case .succeed(let promise, let method):
                promise.succeed(method)
            case .fail(let promise, let error):
                promise.fail(error)
            case .confirm(let promise, let outcome):
                if outcome == .nacked { channels[channelID]?.nacksSinceLastWait += 1 }
                promise.succeed(outcome)
            case .failConfirm(let promise, let error):
                promise.fail(error)
            case .deliver(let delivery):
                deliver(delivery, channelID: channelID)
            case .returned(let message):
                logger.warning("AMQP message returned by the broker", metadata: ["exchange": "\(message.exchange)", "routing_key": "\(message.routingKey)", "reply": "\(message.replyCode) \(message.replyText)"])
            case .consumerEnded(let consumerTag, let error):
                let key = AMQPConsumerKey(channelID: channelID, consumerTag: consumerTag)
                unpause(key)
                if let source = channels[channelID]?.consumers.removeValue(forKey: consumerTag) {
                    if let error { source.finish(error) } else { source.finish() }
                }
            case .flow(let active):
                logger.info("AMQP channel flow", metadata: ["channel": "\(channelID)", "active": "\(active)"])
            case .closed(let error):
                guard let entry = channels.removeValue(forKey: channelID) else { break }
                let reason = error ?? AMQPError(.channelClosed, "channel closed by the client")
                for (tag, source) in entry.consumers {
                    unpause(AMQPConsumerKey(channelID: channelID, consumerTag: tag))
                    // The user closing the channel ends its consumers normally; anything else is an error to see.
                    if let error { source.finish(error) } else { source.finish() }
                }
                for waiter in entry.confirmWaiters { waiter.promise.fail(reason) }
                if let error { logger.debug("AMQP channel closed", metadata: ["channel": "\(channelID)", "reason": "\(error)"]) }
            }
        }
        resolveConfirmWaiters(channelID: channelID)
    }

    private func deliver(_ delivery: AMQPDelivery, channelID: UInt16) {
        guard let source = channels[channelID]?.consumers[delivery.consumerTag] else {
            // The reader went away and our basic.cancel has not landed yet; the broker requeues unacked messages.
            logger.debug("AMQP delivery for a consumer that ended", metadata: ["consumer_tag": "\(delivery.consumerTag)"])
            return
        }
        if source.yield(delivery) == .stopProducing {
            if pausedConsumers.isEmpty {
                logger.debug("AMQP consumer buffer full, pausing socket reads", metadata: ["consumer_tag": "\(delivery.consumerTag)"])
                state.countReadPause()
            }
            pausedConsumers.insert(AMQPConsumerKey(channelID: channelID, consumerTag: delivery.consumerTag))
        }
    }

    private func unpause(_ key: AMQPConsumerKey) {
        guard pausedConsumers.remove(key) != nil, pausedConsumers.isEmpty, readHeld, let context else { return }
        logger.debug("AMQP consumer buffer drained, resuming socket reads")
        readHeld = false
        context.read()
    }

    private func resolveConfirmWaiters(channelID: UInt16) {
        guard var entry = channels[channelID], !entry.confirmWaiters.isEmpty else { return }
        var remaining: [(tag: UInt64, promise: EventLoopPromise<Void>)] = []
        var done: [EventLoopPromise<Void>] = []
        for waiter in entry.confirmWaiters {
            if entry.machine.allConfirmed(upTo: waiter.tag) { done.append(waiter.promise) } else { remaining.append(waiter) }
        }
        guard !done.isEmpty else { return }
        let nacks = entry.nacksSinceLastWait
        entry.nacksSinceLastWait = 0
        entry.confirmWaiters = remaining
        channels[channelID] = entry
        for promise in done {
            if nacks > 0 { promise.fail(AMQPError(.publishNacked, "the broker nacked \(nacks) publish(es)")) } else { promise.succeed() }
        }
    }

    // MARK: Operations (called on the event loop by AMQPConnection and AMQPChannel)

    private func channelGone(_ channelID: UInt16) -> AMQPError {
        if stateMachine.isOpen { return AMQPError(.channelClosed, "channel \(channelID) is closed") }
        return AMQPError(.connectionClosed, "connection is closed")
    }

    func openChannel(_ promise: EventLoopPromise<UInt16>) {
        guard stateMachine.isOpen, let negotiated, let context else {
            return promise.fail(AMQPError(.connectionClosed, "connection is closed"))
        }
        guard let id = (1...max(negotiated.channelMax, 1)).first(where: { channels[$0] == nil }) else {
            return promise.fail(AMQPError(.channelLimitReached, "all \(negotiated.channelMax) channels are in use"))
        }
        var entry = ChannelEntry(machine: ChannelMachine(channelID: id, frameMax: negotiated.frameMax))
        let openOk = context.eventLoop.makePromise(of: AMQPMethod.self)
        let actions = entry.machine.open(openOk)
        channels[id] = entry
        run(actions, channelID: id)
        openOk.futureResult.map { _ in id }.cascade(to: promise)
    }

    func request(_ method: AMQPMethod, channelID: UInt16, _ promise: EventLoopPromise<AMQPMethod>) {
        guard channels[channelID] != nil else { return promise.fail(channelGone(channelID)) }
        if case .basicQos(_, let prefetchCount, _) = method { channels[channelID]!.prefetchCount = prefetchCount }
        run(channels[channelID]!.machine.request(method, promise), channelID: channelID)
    }

    func sendAsync(_ method: AMQPMethod, channelID: UInt16) throws {
        guard channels[channelID] != nil else { throw channelGone(channelID) }
        run(channels[channelID]!.machine.sendAsync(method), channelID: channelID)
    }

    func publish(channelID: UInt16, exchange: String, routingKey: String, mandatory: Bool, properties: AMQPBasicProperties, body: ByteBuffer, _ promise: EventLoopPromise<AMQPPublishConfirm>) {
        guard channels[channelID] != nil else { return promise.fail(channelGone(channelID)) }
        let actions = channels[channelID]!.machine.publish(exchange: exchange, routingKey: routingKey, mandatory: mandatory, properties: properties, body: body, confirm: promise)
        run(actions, channelID: channelID)
    }

    func waitForConfirms(channelID: UInt16, _ promise: EventLoopPromise<Void>) {
        guard channels[channelID] != nil else { return promise.fail(channelGone(channelID)) }
        guard let next = channels[channelID]!.machine.nextConfirmTag else {
            return promise.fail(AMQPError(.notInConfirmMode, "call confirmSelect() before waiting for confirms"))
        }
        channels[channelID]!.confirmWaiters.append((tag: next - 1, promise: promise))
        resolveConfirmWaiters(channelID: channelID)
    }

    func consume(channelID: UInt16, _ consume: AMQPMethod.BasicConsume, _ promise: EventLoopPromise<AMQPConsumer>) {
        guard let entry = channels[channelID], let context else { return promise.fail(channelGone(channelID)) }
        var consume = consume
        if consume.consumerTag.isEmpty {
            consume.consumerTag = "rapport.\(channelID).\(nextConsumerNumber)"
            nextConsumerNumber += 1
        }
        let key = AMQPConsumerKey(channelID: channelID, consumerTag: consume.consumerTag)
        guard entry.consumers[key.consumerTag] == nil else {
            return promise.fail(AMQPError(.invalidConfiguration, "consumer tag \(key.consumerTag) is already in use on this channel"))
        }
        // With a prefetch the broker never has more than that many unacked deliveries out, so the buffer stays
        // below the high watermark; without one (or with no-ack) the watermark pauses socket reads instead.
        let high = entry.prefetchCount > 0 && !consume.noAck ? Int(entry.prefetchCount) + 1 : 1_000
        let strategy = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(lowWatermark: max(high / 2, 1), highWatermark: high)
        let delegate = AMQPConsumerDelegate(key: key, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        let producer = AMQPDeliveryProducer.makeSequence(backPressureStrategy: strategy, finishOnDeinit: true, delegate: delegate)
        // Registered before basic.consume goes out: deliveries may follow consume-ok in the same read.
        channels[channelID]!.consumers[key.consumerTag] = producer.source
        let consumeOk = context.eventLoop.makePromise(of: AMQPMethod.self)
        request(.basicConsume(consume), channelID: channelID, consumeOk)
        let tag = consume.consumerTag
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        consumeOk.futureResult.whenComplete { result in
            switch result {
            case .success:
                promise.succeed(AMQPConsumer(consumerTag: tag, sequence: producer.sequence))
            case .failure(let error):
                bound.value.channels[channelID]?.consumers.removeValue(forKey: tag)?.finish(error)
                promise.fail(error)
            }
        }
    }

    func consumerWantsMore(_ key: AMQPConsumerKey) {
        unpause(key)
    }

    func consumerTerminated(_ key: AMQPConsumerKey) {
        unpause(key)
        // The reader stopped iterating: cancel so the broker stops sending (and requeues what is unacked).
        guard channels[key.channelID]?.consumers.removeValue(forKey: key.consumerTag) != nil, let context else { return }
        let ignored = context.eventLoop.makePromise(of: AMQPMethod.self)
        ignored.futureResult.whenFailure { _ in }
        request(.basicCancel(consumerTag: key.consumerTag, noWait: false), channelID: key.channelID, ignored)
    }

    func closeChannel(_ channelID: UInt16, _ promise: EventLoopPromise<Void>) {
        guard channels[channelID] != nil, let context else { return promise.succeed() }
        let closeOk = context.eventLoop.makePromise(of: AMQPMethod.self)
        run(channels[channelID]!.machine.close(closeOk), channelID: channelID)
        closeOk.futureResult.map { _ in }.cascade(to: promise)
    }

    func close(_ promise: EventLoopPromise<Void>) {
        guard context != nil else { return promise.succeed() }
        if case .closed = stateMachine.state { return promise.succeed() }
        closeRequests.append(promise)
        run(stateMachine.closeRequested())
        // A broker that never answers connection.close must not keep close() waiting forever.
        guard let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.closeTimeout) {
            bound.value.run(bound.value.stateMachine.errorCaught(AMQPError(.connectionTimeout, "broker did not answer connection.close")))
        }
    }

    static let closeTimeout = TimeAmount.seconds(10)

    /// Gives up on the handshake (connection timeout).
    func abortHandshake(_ error: AMQPError) {
        guard !handshakeDone else { return }
        run(stateMachine.errorCaught(error))
    }
}
