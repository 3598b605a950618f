import NIOCore
@testable import RapportAMQP
import Testing

@Suite("AMQP channel state machine")
struct ChannelStateMachineTests {
    /// Integers stand in for promises: actions name which request or publish they answer.
    typealias Machine = ChannelStateMachine<Int, Int>
    typealias Action = Machine.Action

    func openChannel(frameMax: UInt32 = 131_072) -> Machine {
        var machine = Machine(channelID: 1, frameMax: frameMax)
        _ = machine.open(0)
        _ = machine.received(.method(channel: 1, .channelOpenOk))
        return machine
    }

    func confirmingChannel() -> Machine {
        var machine = openChannel()
        _ = machine.request(.confirmSelect(noWait: false), 99)
        _ = machine.received(.method(channel: 1, .confirmSelectOk))
        return machine
    }

    func publish(_ machine: inout Machine, _ confirm: Int, routingKey: String = "k", mandatory: Bool = false, body: String = "x") -> [Action] {
        machine.publish(exchange: "e", routingKey: routingKey, mandatory: mandatory, properties: .init(), body: ByteBuffer(string: body), confirm: confirm)
    }

    /// Publish ids and outcomes from a list of actions.
    func confirms(_ actions: [Action]) -> [String] {
        actions.compactMap {
            switch $0 {
            case .confirm(let id, .acked): "\(id):ack"
            case .confirm(let id, .nacked): "\(id):nack"
            case .confirm(let id, .returned(let message)): "\(id):returned \(message.replyCode)"
            case .confirm(let id, .sent): "\(id):sent"
            case .failConfirm(let id, let error): "\(id):fail \(error.replyCode ?? 0)"
            default: nil
            }
        }
    }

    func sentMethods(_ actions: [Action]) -> [AMQPMethod] {
        actions.flatMap { action -> [AMQPMethod] in
            guard case .send(let frames) = action else { return [] }
            return frames.compactMap { if case .method(_, let method) = $0 { method } else { nil } }
        }
    }

    @Test func openSucceedsOnOpenOk() {
        var machine = Machine(channelID: 7, frameMax: 4096)
        #expect(sentMethods(machine.open(1)) == [.channelOpen])
        let actions = machine.received(.method(channel: 7, .channelOpenOk))
        guard case .succeed(1, .channelOpenOk) = actions.first else {
            Issue.record("open not answered: \(actions)")
            return
        }
    }

    @Test func oneRequestIsInFlightAtATimeAndRepliesGoInOrder() {
        var machine = openChannel()
        #expect(sentMethods(machine.request(.exchangeDeclare(.init(exchange: "e", type: "topic")), 1)) == [.exchangeDeclare(.init(exchange: "e", type: "topic"))])
        // Queued: nothing is sent until the first reply arrives.
        #expect(machine.request(.queueDeclare(.init(queue: "q")), 2).isEmpty)
        #expect(machine.request(.basicQos(prefetchSize: 0, prefetchCount: 5, global: false), 3).isEmpty)

        let first = machine.received(.method(channel: 1, .exchangeDeclareOk))
        guard case .succeed(1, .exchangeDeclareOk) = first.first else {
            Issue.record("first not answered")
            return
        }
        #expect(sentMethods(first) == [.queueDeclare(.init(queue: "q"))])

        let second = machine.received(.method(channel: 1, .queueDeclareOk(queue: "q", messageCount: 4, consumerCount: 0)))
        guard case .succeed(2, .queueDeclareOk("q", 4, 0)) = second.first else {
            Issue.record("second not answered")
            return
        }
        #expect(sentMethods(second) == [.basicQos(prefetchSize: 0, prefetchCount: 5, global: false)])
    }

    @Test func aReplyThatDoesNotMatchTheRequestIsAProtocolError() {
        var machine = openChannel()
        _ = machine.request(.queueDeclare(.init(queue: "q")), 1)
        let actions = machine.received(.method(channel: 1, .exchangeDeclareOk))
        guard case .fail(1, let error) = actions.first else {
            Issue.record("request not failed")
            return
        }
        #expect(error.code == .unexpectedMethod)
        #expect(sentMethods(actions).contains { if case .channelClose(let close) = $0 { close.replyCode == 505 } else { false } })
    }

    @Test func publishesAreNumberedFromOneAfterConfirmSelect() {
        var machine = openChannel()
        // Before confirm mode a publish is just sent.
        #expect(confirms(publish(&machine, 100)) == ["100:sent"])
        #expect(machine.nextConfirmTag == nil)
        _ = machine.request(.confirmSelect(noWait: false), 1)
        #expect(machine.nextConfirmTag == 1)
        _ = machine.received(.method(channel: 1, .confirmSelectOk))
        for id in 1...5 { #expect(confirms(publish(&machine, id)).isEmpty) }
        #expect(machine.nextConfirmTag == 6)

        // Single ack out of order, then multiple covering the rest up to 4.
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 3, multiple: false)))) == ["3:ack"])
        #expect(!machine.allConfirmed(upTo: 3))
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 4, multiple: true)))) == ["1:ack", "2:ack", "4:ack"])
        #expect(machine.allConfirmed(upTo: 4))
        #expect(!machine.allConfirmed(upTo: 5))
        #expect(confirms(machine.received(.method(channel: 1, .basicNack(deliveryTag: 5, multiple: true, requeue: false)))) == ["5:nack"])
        #expect(machine.allConfirmed(upTo: 5))
        // Repeated or unknown tags change nothing.
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 5, multiple: true)))).isEmpty)
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 99, multiple: false)))).isEmpty)
    }

    @Test func publishesQueuedBehindAnRPCBeforeConfirmSelectIsWrittenAreNotCounted() {
        var machine = openChannel()
        _ = machine.request(.queueDeclare(.init(queue: "q")), 1)
        _ = machine.request(.confirmSelect(noWait: false), 2)  // queued, not on the wire yet
        #expect(confirms(publish(&machine, 10)) == ["10:sent"])
        _ = machine.received(.method(channel: 1, .queueDeclareOk(queue: "q", messageCount: 0, consumerCount: 0)))
        #expect(confirms(publish(&machine, 11)).isEmpty)
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 1, multiple: false)))) == ["11:ack"])
    }

    @Test func aReturnBeforeTheAckMarksThatPublishReturned() {
        var machine = confirmingChannel()
        _ = publish(&machine, 1, routingKey: "routable", mandatory: true)
        _ = publish(&machine, 2, routingKey: "nowhere", mandatory: true)
        _ = publish(&machine, 3, routingKey: "nowhere", mandatory: true)
        // The broker returns #2 (no route), then acks 1...2 together.
        _ = machine.received(.method(channel: 1, .basicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "e", routingKey: "nowhere")))
        #expect(machine.received(.header(channel: 1, AMQPContentHeader(bodySize: 1, properties: .init()))).isEmpty)
        #expect(machine.received(.body(channel: 1, ByteBuffer(string: "x"))).isEmpty)
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 2, multiple: true)))) == ["1:ack", "2:returned 312"])
        #expect(confirms(machine.received(.method(channel: 1, .basicAck(deliveryTag: 3, multiple: false)))) == ["3:ack"])
    }

    @Test func aReturnWithoutConfirmModeIsReportedOnItsOwn() {
        var machine = openChannel()
        _ = machine.received(.method(channel: 1, .basicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "e", routingKey: "k")))
        let actions = machine.received(.header(channel: 1, AMQPContentHeader(bodySize: 0, properties: .init(messageID: "m"))))
        guard case .returned(let message) = actions.first else {
            Issue.record("no return: \(actions)")
            return
        }
        #expect(message.properties.messageID == "m")
        #expect(message.body.readableBytes == 0)
    }

    @Test func deliveriesAreAssembledFromSeveralBodyFrames() {
        var machine = openChannel()
        #expect(machine.received(.method(channel: 1, .basicDeliver(consumerTag: "c", deliveryTag: 9, redelivered: true, exchange: "e", routingKey: "k"))).isEmpty)
        #expect(machine.received(.header(channel: 1, AMQPContentHeader(bodySize: 11, properties: .init(contentType: "text/plain")))).isEmpty)
        #expect(machine.received(.body(channel: 1, ByteBuffer(string: "hello"))).isEmpty)
        #expect(machine.received(.body(channel: 1, ByteBuffer(string: " wor"))).isEmpty)
        let actions = machine.received(.body(channel: 1, ByteBuffer(string: "ld")))
        guard case .deliver(let delivery) = actions.first else {
            Issue.record("no delivery")
            return
        }
        #expect(delivery == AMQPDelivery(consumerTag: "c", deliveryTag: 9, redelivered: true, exchange: "e", routingKey: "k", properties: .init(contentType: "text/plain"), body: ByteBuffer(string: "hello world")))
        // The next method starts a fresh message.
        _ = machine.received(.method(channel: 1, .basicDeliver(consumerTag: "c", deliveryTag: 10, redelivered: false, exchange: "e", routingKey: "k")))
        guard case .deliver(let empty) = machine.received(.header(channel: 1, AMQPContentHeader(bodySize: 0, properties: .init()))).first else {
            Issue.record("no empty delivery")
            return
        }
        #expect(empty.deliveryTag == 10)
    }

    @Test func aMethodInTheMiddleOfABodyIsAProtocolError() {
        var machine = openChannel()
        _ = machine.received(.method(channel: 1, .basicDeliver(consumerTag: "c", deliveryTag: 1, redelivered: false, exchange: "", routingKey: "q")))
        _ = machine.received(.header(channel: 1, AMQPContentHeader(bodySize: 10, properties: .init())))
        let actions = machine.received(.method(channel: 1, .basicAck(deliveryTag: 1, multiple: false)))
        #expect(sentMethods(actions).contains { if case .channelClose(let close) = $0 { close.replyCode == 505 } else { false } })
        #expect(machine.isClosed)
    }

    @Test func publishedBodiesAreSplitToFrameMax() {
        var machine = openChannel(frameMax: 4096)
        let body = String(repeating: "a", count: 10_000)
        guard case .send(let frames) = publish(&machine, 1, body: body).first else {
            Issue.record("nothing sent")
            return
        }
        // method, header, then 4088 + 4088 + 1824 bytes of body (frame-max minus 8 bytes of framing).
        #expect(frames.count == 5)
        let sizes = frames.compactMap { if case .body(_, let chunk) = $0 { chunk.readableBytes } else { nil } }
        #expect(sizes == [4088, 4088, 1824])
        guard case .header(_, let header) = frames[1] else {
            Issue.record("no header")
            return
        }
        #expect(header.bodySize == 10_000)
        // An empty body is a method and a header only.
        guard case .send(let emptyFrames) = publish(&machine, 2, body: "").first else {
            Issue.record("nothing sent for an empty body")
            return
        }
        #expect(emptyFrames.count == 2)
    }

    @Test func brokerChannelCloseFailsPendingWorkWithTheReplyCode() {
        var machine = confirmingChannel()
        _ = publish(&machine, 1)
        _ = machine.request(.queueDeclare(.init(queue: "missing", passive: true)), 2)
        _ = machine.request(.queueDeclare(.init(queue: "other")), 3)
        let close = AMQPMethod.CloseReason(replyCode: 404, replyText: "NOT_FOUND - no queue 'missing' in vhost '/'", classID: 50, methodID: 10)
        let actions = machine.received(.method(channel: 1, .channelClose(close)))
        #expect(sentMethods(actions) == [.channelCloseOk])
        let failed = actions.compactMap { if case .fail(let id, let error) = $0 { "\(id):\(error.code):\(error.replyCode ?? 0)" } else { nil } }
        #expect(failed == ["2:channelClosed:404", "3:channelClosed:404"])
        #expect(confirms(actions) == ["1:fail 404"])
        guard case .closed(let error?) = actions.last else {
            Issue.record("not closed")
            return
        }
        #expect(error.message == close.replyText)
        #expect(error.failingMethod?.classID == 50)
        // Later work fails at once with the same reason.
        guard case .fail(4, let later) = machine.request(.queueDeclare(.init(queue: "q")), 4).first else {
            Issue.record("late request not failed")
            return
        }
        #expect(later.replyCode == 404)
    }

    @Test func clientCloseFailsQueuedRequestsAndIgnoresFramesUntilCloseOk() {
        var machine = openChannel()
        _ = machine.request(.queueDeclare(.init(queue: "q")), 1)
        let actions = machine.close(50)
        #expect(actions.contains { if case .fail(1, _) = $0 { true } else { false } })
        #expect(sentMethods(actions) == [.channelClose(.init(replyCode: 200, replyText: "Goodbye"))])
        #expect(machine.received(.method(channel: 1, .queueDeclareOk(queue: "q", messageCount: 0, consumerCount: 0))).isEmpty)
        let done = machine.received(.method(channel: 1, .channelCloseOk))
        guard case .succeed(50, .channelCloseOk) = done.first, case .closed(nil) = done.last else {
            Issue.record("close not answered: \(done)")
            return
        }
    }

    @Test func brokerCancelEndsTheConsumerWithAnError() {
        var machine = openChannel()
        let actions = machine.received(.method(channel: 1, .basicCancel(consumerTag: "c1", noWait: false)))
        #expect(sentMethods(actions) == [.basicCancelOk(consumerTag: "c1")])
        guard case .consumerEnded("c1", let error?) = actions.last else {
            Issue.record("consumer not ended")
            return
        }
        #expect(error.code == .consumerCancelled)
        // Our own cancel ends it without an error once cancel-ok arrives.
        _ = machine.request(.basicCancel(consumerTag: "c2", noWait: false), 1)
        let own = machine.received(.method(channel: 1, .basicCancelOk(consumerTag: "c2")))
        guard case .consumerEnded("c2", nil) = own.first else {
            Issue.record("own cancel not reported: \(own)")
            return
        }
    }

    @Test func connectionLossFailsEverything() {
        var machine = confirmingChannel()
        _ = publish(&machine, 1)
        _ = machine.request(.queueDeclare(.init(queue: "q")), 2)
        let error = AMQPError(.connectionClosed, "connection lost")
        let actions = machine.connectionClosed(error)
        #expect(confirms(actions) == ["1:fail 0"])
        #expect(actions.contains { if case .fail(2, error) = $0 { true } else { false } })
        guard case .closed(error) = actions.last else {
            Issue.record("not closed")
            return
        }
        #expect(machine.connectionClosed(error).isEmpty)
    }

    @Test func flowIsAnswered() {
        var machine = openChannel()
        let actions = machine.received(.method(channel: 1, .channelFlow(active: false)))
        #expect(sentMethods(actions) == [.channelFlowOk(active: false)])
    }
}
