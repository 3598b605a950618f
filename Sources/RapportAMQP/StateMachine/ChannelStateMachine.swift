import NIOCore

/// One AMQP channel as a pure state machine. `Pending` is whatever the caller uses to answer an RPC (a promise
/// in production, an integer in tests); `Confirm` likewise answers a publish.
///
/// Rules it keeps: one synchronous request in flight per channel (others wait in order); publishes are numbered
/// from 1 once confirm.select is on the wire; content frames are assembled into whole messages.
struct ChannelStateMachine<Pending: Sendable, Confirm: Sendable>: Sendable {
    /// What the caller must do next; one event can produce several actions, performed in order.
    enum Action: Sendable {
        case send([AMQPFrame])
        case succeed(Pending, AMQPMethod)
        case fail(Pending, AMQPError)
        case confirm(Confirm, AMQPPublishConfirm)
        case failConfirm(Confirm, AMQPError)
        case deliver(AMQPDelivery)
        /// A returned message that no tracked publish claims (confirm mode off).
        case returned(AMQPReturnedMessage)
        /// The consumer ended: `error` is nil after our own basic.cancel, set when the broker cancelled it.
        case consumerEnded(consumerTag: String, error: AMQPError?)
        case flow(active: Bool)
        /// The channel is finished; fail consumers with `error` (nil = closed by us) and free the channel number.
        case closed(AMQPError?)
    }

    enum State: Sendable {
        case opening
        case open
        /// We sent channel.close; `error` is what consumers hear when it completes (nil = the user closed it).
        case closing(Pending?, error: AMQPError?)
        case closed(AMQPError?)
    }

    private struct Request: Sendable {
        var method: AMQPMethod
        var pending: Pending
    }

    private struct UnconfirmedPublish: Sendable {
        var tag: UInt64
        var confirm: Confirm?
        var exchange: String
        var routingKey: String
        var mandatory: Bool
        var outcome: AMQPPublishConfirm?
        var returned: AMQPReturnedMessage?
    }

    private enum Incoming: Sendable {
        case deliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
        case returned(replyCode: UInt16, replyText: String, exchange: String, routingKey: String)
    }

    private enum Assembly: Sendable {
        case idle
        case awaitingHeader(Incoming)
        case awaitingBody(Incoming, AMQPBasicProperties, expected: UInt64, body: ByteBuffer?)
    }

    let channelID: UInt16
    private let maxBodyFrameSize: Int
    private(set) var state: State = .opening
    private var requests = CircularBuffer<Request>()
    private var assembly = Assembly.idle
    /// True once confirm.select is written: from then on the broker numbers every publish.
    private var confirmsOn = false
    private var nextPublishTag: UInt64 = 1
    private var unconfirmed = CircularBuffer<UnconfirmedPublish>()

    /// `frameMax` is the negotiated frame-max (0 = no limit); body frames are cut to fit it.
    init(channelID: UInt16, frameMax: UInt32) {
        self.channelID = channelID
        // With no limit, still cut bodies so one huge message does not need one huge frame buffer.
        let frameSize = frameMax == 0 ? 1 << 20 : Int(frameMax)
        self.maxBodyFrameSize = frameSize - AMQPFrame.overhead
    }

    /// Sends channel.open; `pending` succeeds with channel.open-ok.
    mutating func open(_ pending: Pending) -> [Action] {
        requests.append(Request(method: .channelOpen, pending: pending))
        return [.send([.method(channel: channelID, .channelOpen)])]
    }

    /// Queues a synchronous request; it is written once every earlier request has its reply.
    mutating func request(_ method: AMQPMethod, _ pending: Pending) -> [Action] {
        if let error = notOpenError { return [.fail(pending, error)] }
        requests.append(Request(method: method, pending: pending))
        guard requests.count == 1 else { return [] }
        return [sendRequest(method)]
    }

    private mutating func sendRequest(_ method: AMQPMethod) -> Action {
        if case .confirmSelect = method { confirmsOn = true }
        return .send([.method(channel: channelID, method)])
    }

    /// Publishes a message; in confirm mode `confirm` is answered when the broker acks or nacks it.
    mutating func publish(exchange: String, routingKey: String, mandatory: Bool, properties: AMQPBasicProperties, body: ByteBuffer, confirm: Confirm?) -> [Action] {
        if let error = notOpenError { return confirm.map { [.failConfirm($0, error)] } ?? [] }
        var frames: [AMQPFrame] = [
            .method(channel: channelID, .basicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory, immediate: false)),
            .header(channel: channelID, AMQPContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)),
        ]
        var remaining = body
        while remaining.readableBytes > 0 {
            frames.append(.body(channel: channelID, remaining.readSlice(length: min(maxBodyFrameSize, remaining.readableBytes))!))
        }
        guard confirmsOn else {
            return [.send(frames)] + (confirm.map { [.confirm($0, .sent)] } ?? [])
        }
        unconfirmed.append(UnconfirmedPublish(tag: nextPublishTag, confirm: confirm, exchange: exchange, routingKey: routingKey, mandatory: mandatory))
        nextPublishTag += 1
        return [.send(frames)]
    }

    /// Sends an asynchronous method with no reply (basic.ack, nack, reject).
    mutating func sendAsync(_ method: AMQPMethod) -> [Action] {
        guard notOpenError == nil else { return [] }
        return [.send([.method(channel: channelID, method)])]
    }

    /// The publish tag the next publish gets, or nil when confirm mode is off.
    var nextConfirmTag: UInt64? { confirmsOn ? nextPublishTag : nil }

    /// Whether every publish up to and including `tag` has its ack or nack.
    func allConfirmed(upTo tag: UInt64) -> Bool {
        guard let first = unconfirmed.first else { return true }
        return first.tag > tag
    }

    /// Sends channel.close; `pending` succeeds when close-ok arrives. Queued requests fail now.
    mutating func close(_ pending: Pending) -> [Action] {
        switch state {
        case .closed(let error):
            if let error { return [.fail(pending, error)] }
            return [.succeed(pending, .channelCloseOk)]
        case .closing:
            return [.fail(pending, AMQPError(.channelClosed, "channel is already closing"))]
        case .opening, .open:
            state = .closing(pending, error: nil)
            let error = AMQPError(.channelClosed, "channel closed by the client")
            // The spec says to discard every frame after channel.close but close-ok, so no reply would come.
            var actions = failAll(error, includeConfirms: false)
            actions.append(.send([.method(channel: channelID, .channelClose(.init(replyCode: 200, replyText: "Goodbye")))]))
            return actions
        }
    }

    /// The connection is gone: fail everything with `error`.
    mutating func connectionClosed(_ error: AMQPError) -> [Action] {
        if case .closed = state { return [] }
        var actions = failAll(error, includeConfirms: true)
        if case .closing(let pending?, _) = state { actions.append(.fail(pending, error)) }
        state = .closed(error)
        actions.append(.closed(error))
        return actions
    }

    /// A frame for this channel arrived.
    mutating func received(_ frame: AMQPFrame) -> [Action] {
        if case .closed = state { return [] }
        if case .closing(let pending, let closingError) = state {
            switch frame {
            case .method(_, .channelCloseOk), .method(_, .channelClose):
                // A broker close crossing ours counts as the answer; reply so the broker frees the channel too.
                var actions: [Action] = []
                if case .method(_, .channelClose) = frame { actions.append(.send([.method(channel: channelID, .channelCloseOk)])) }
                actions += failAll(closingError ?? AMQPError(.channelClosed, "channel closed by the client"), includeConfirms: true)
                if let pending { actions.append(.succeed(pending, .channelCloseOk)) }
                state = .closed(closingError)
                actions.append(.closed(closingError))
                return actions
            default:
                return []
            }
        }
        switch frame {
        case .method(_, let method): return receivedMethod(method)
        case .header(_, let header): return receivedHeader(header)
        case .body(_, let body): return receivedBody(body)
        case .heartbeat: return []
        }
    }

    private mutating func receivedMethod(_ method: AMQPMethod) -> [Action] {
        guard case .idle = assembly else { return protocolError("method \(method.id) while a message body was expected") }
        switch method {
        case .channelClose(let close):
            let error = AMQPError(.channelClosed, replyCode: close.replyCode, close.replyText, failingMethod: close.classID == 0 ? nil : (close.classID, close.methodID))
            var actions: [Action] = [.send([.method(channel: channelID, .channelCloseOk)])]
            actions += failAll(error, includeConfirms: true)
            state = .closed(error)
            actions.append(.closed(error))
            return actions
        case .channelFlow(let active):
            return [.send([.method(channel: channelID, .channelFlowOk(active: active))]), .flow(active: active)]
        case .basicDeliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            assembly = .awaitingHeader(.deliver(consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange, routingKey: routingKey))
            return []
        case .basicReturn(let replyCode, let replyText, let exchange, let routingKey):
            assembly = .awaitingHeader(.returned(replyCode: replyCode, replyText: replyText, exchange: exchange, routingKey: routingKey))
            return []
        case .basicAck(let tag, let multiple):
            return resolveConfirms(tag: tag, multiple: multiple, acked: true)
        case .basicNack(let tag, let multiple, _):
            return resolveConfirms(tag: tag, multiple: multiple, acked: false)
        case .basicCancel(let consumerTag, let noWait):
            // consumer_cancel_notify: the queue went away or failed over; this consumer gets nothing more.
            var actions: [Action] = noWait ? [] : [.send([.method(channel: channelID, .basicCancelOk(consumerTag: consumerTag))])]
            actions.append(.consumerEnded(consumerTag: consumerTag, error: AMQPError(.consumerCancelled, "broker cancelled consumer \(consumerTag)")))
            return actions
        default:
            return receivedReply(method)
        }
    }

    private mutating func receivedReply(_ method: AMQPMethod) -> [Action] {
        guard let request = requests.first, let expected = request.method.expectedReplyID,
              expected == method.id else {
            return protocolError("unexpected method \(method.id.classID).\(method.id.methodID)")
        }
        requests.removeFirst()
        var actions: [Action] = []
        switch method {
        case .channelOpenOk: state = .open
        case .basicCancelOk(let consumerTag): actions.append(.consumerEnded(consumerTag: consumerTag, error: nil))
        default: break
        }
        actions.append(.succeed(request.pending, method))
        if let next = requests.first { actions.append(sendRequest(next.method)) }
        return actions
    }

    private mutating func receivedHeader(_ header: AMQPContentHeader) -> [Action] {
        guard case .awaitingHeader(let incoming) = assembly else { return protocolError("content header without a method") }
        if header.bodySize == 0 { return complete(incoming, header.properties, ByteBuffer()) }
        assembly = .awaitingBody(incoming, header.properties, expected: header.bodySize, body: nil)
        return []
    }

    private mutating func receivedBody(_ frame: ByteBuffer) -> [Action] {
        guard case .awaitingBody(let incoming, let properties, let expected, var body) = assembly else {
            return protocolError("content body without a header")
        }
        assembly = .idle  // drop our reference so appending below does not copy the buffer
        if body == nil {
            body = frame  // one-frame bodies (the common case) stay a zero-copy slice of the read buffer
        } else {
            body!.writeImmutableBuffer(frame)
        }
        let received = UInt64(body!.readableBytes)
        if received > expected { return protocolError("body longer than its header announced") }
        if received == expected { return complete(incoming, properties, body!) }
        assembly = .awaitingBody(incoming, properties, expected: expected, body: body)
        return []
    }

    private mutating func complete(_ incoming: Incoming, _ properties: AMQPBasicProperties, _ body: ByteBuffer) -> [Action] {
        assembly = .idle
        switch incoming {
        case .deliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            return [.deliver(AMQPDelivery(consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange, routingKey: routingKey, properties: properties, body: body))]
        case .returned(let replyCode, let replyText, let exchange, let routingKey):
            let message = AMQPReturnedMessage(replyCode: replyCode, replyText: replyText, exchange: exchange, routingKey: routingKey, properties: properties, body: body)
            // basic.return carries no publish tag. The broker handles a channel's publishes in order and sends the
            // return before that publish's ack, so it belongs to the oldest open mandatory publish to the same
            // exchange and routing key (a publish to the same destination before it would have been returned too).
            if let index = unconfirmed.firstIndex(where: { $0.mandatory && $0.outcome == nil && $0.returned == nil && $0.exchange == exchange && $0.routingKey == routingKey }) {
                unconfirmed[index].returned = message
                return []
            }
            return [.returned(message)]
        }
    }

    private mutating func resolveConfirms(tag: UInt64, multiple: Bool, acked: Bool) -> [Action] {
        guard confirmsOn, let first = unconfirmed.first, tag >= first.tag, tag < nextPublishTag else {
            // Out of range acks are harmless to ignore; the broker never sends them for tags we did not publish.
            return []
        }
        func outcome(_ entry: UnconfirmedPublish) -> AMQPPublishConfirm {
            acked ? (entry.returned.map { .returned($0) } ?? .acked) : .nacked
        }
        var actions: [Action] = []
        if multiple {
            var index = unconfirmed.startIndex
            while index != unconfirmed.endIndex, unconfirmed[index].tag <= tag {
                if unconfirmed[index].outcome == nil { unconfirmed[index].outcome = outcome(unconfirmed[index]) }
                index = unconfirmed.index(after: index)
            }
        } else {
            // Tags are contiguous from the oldest unconfirmed one, so the entry's position is an offset.
            let index = unconfirmed.index(unconfirmed.startIndex, offsetBy: Int(tag - first.tag))
            if unconfirmed[index].outcome == nil { unconfirmed[index].outcome = outcome(unconfirmed[index]) }
        }
        // Answer in publish order and drop settled entries from the front; entries after a gap wait their turn
        // only for removal, their answer goes out now.
        var index = unconfirmed.startIndex
        while index != unconfirmed.endIndex, unconfirmed[index].tag <= tag {
            if let result = unconfirmed[index].outcome, let confirm = unconfirmed[index].confirm {
                actions.append(.confirm(confirm, result))
                unconfirmed[index].confirm = nil
            }
            index = unconfirmed.index(after: index)
        }
        while let head = unconfirmed.first, head.outcome != nil { unconfirmed.removeFirst() }
        return actions
    }

    private mutating func failAll(_ error: AMQPError, includeConfirms: Bool) -> [Action] {
        var actions: [Action] = requests.map { .fail($0.pending, error) }
        requests.removeAll()
        if includeConfirms {
            for entry in unconfirmed { if let confirm = entry.confirm { actions.append(.failConfirm(confirm, error)) } }
            unconfirmed.removeAll()
        }
        assembly = .idle
        return actions
    }

    private mutating func protocolError(_ text: String) -> [Action] {
        // 505 UNEXPECTED_FRAME; we close the channel and let the broker confirm.
        let error = AMQPError(.unexpectedMethod, text)
        var actions = failAll(error, includeConfirms: true)
        state = .closing(nil, error: error)
        actions.append(.send([.method(channel: channelID, .channelClose(.init(replyCode: 505, replyText: "UNEXPECTED_FRAME - \(text)")))]))
        return actions
    }

    private var notOpenError: AMQPError? {
        switch state {
        case .opening, .open: nil
        case .closing: AMQPError(.channelClosed, "channel is closing")
        case .closed(let error): error ?? AMQPError(.channelClosed, "channel is closed")
        }
    }

    /// Whether the channel is closed or closing.
    var isClosed: Bool {
        switch state {
        case .opening, .open: false
        case .closing, .closed: true
        }
    }
}
