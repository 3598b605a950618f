@testable import RapportAMQP
import Testing

@Suite("AMQP connection state machine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine

    static let start = AMQPFrame.method(channel: 0, .connectionStart(.init(serverProperties: ["product": "RabbitMQ"], mechanisms: "AMQPLAIN PLAIN", locales: "en_US")))

    func settings(heartbeat: UInt16 = 60, frameMax: UInt32 = 131_072, channelMax: UInt16 = 0) -> Machine.Settings {
        .init(username: "user", password: "pa:ss", virtualHost: "/crm", channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)
    }

    /// Runs the handshake up to open-ok and returns the machine.
    func openMachine(heartbeat: UInt16 = 60) -> Machine {
        var machine = Machine(settings: settings(heartbeat: heartbeat))
        _ = machine.connected()
        _ = machine.received(Self.start)
        _ = machine.received(.method(channel: 0, .connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))))
        _ = machine.received(.method(channel: 0, .connectionOpenOk))
        #expect(machine.isOpen)
        return machine
    }

    @Test func handshakeSendsHeaderStartOkTuneOkAndOpen() throws {
        var machine = Machine(settings: settings())
        #expect(machine.connected() == .sendProtocolHeader)

        guard case .send(let frames) = machine.received(Self.start), case .method(0, .connectionStartOk(let startOk)) = frames.first else {
            Issue.record("no start-ok")
            return
        }
        #expect(startOk.mechanism == "PLAIN")
        #expect(startOk.response == [0] + Array("user".utf8) + [0] + Array("pa:ss".utf8))
        guard case .table(let capabilities) = startOk.clientProperties["capabilities"] else {
            Issue.record("no capabilities")
            return
        }
        for name in ["publisher_confirms", "consumer_cancel_notify", "connection.blocked", "basic.nack", "authentication_failure_close"] {
            #expect(capabilities[name] == true, "\(name)")
        }

        let tune = machine.received(.method(channel: 0, .connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))))
        #expect(tune == .send([
            .method(channel: 0, .connectionTuneOk(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))),
            .method(channel: 0, .connectionOpen(virtualHost: "/crm")),
        ]))
        #expect(!machine.isOpen)
        #expect(machine.received(.method(channel: 0, .connectionOpenOk)) == .connected(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60), serverProperties: ["product": "RabbitMQ"]))
        #expect(machine.isOpen)
    }

    @Test(arguments: [
        // (client channel, server channel, client frame, server frame, client heartbeat, server heartbeat) → expected
        ((0, 2047, 131_072, 131_072, 60, 60), (2047, 131_072, 60)),
        ((100, 2047, 0, 131_072, 30, 60), (100, 131_072, 30)),
        ((0, 0, 0, 0, 0, 60), (65535, 0, 60)),  // 0 = no limit; a zero heartbeat takes the other side's
        ((0, 0, 65_536, 0, 10, 0), (65535, 65_536, 10)),
        ((5, 3, 4096, 8192, 0, 0), (3, 4096, 0)),
    ] as [((UInt16, UInt16, UInt32, UInt32, UInt16, UInt16), (UInt16, UInt32, UInt16))])
    func tuneNegotiatesTheSmallerLimit(input: (UInt16, UInt16, UInt32, UInt32, UInt16, UInt16), expected: (UInt16, UInt32, UInt16)) {
        let client = settings(heartbeat: input.4, frameMax: input.2, channelMax: input.0)
        let negotiated = Machine.negotiate(client: client, server: .init(channelMax: input.1, frameMax: input.3, heartbeat: input.5))
        #expect(negotiated == .init(channelMax: expected.0, frameMax: expected.1, heartbeat: expected.2))
    }

    @Test func refusedLoginDuringHandshakeIsAnAuthenticationError() {
        var machine = Machine(settings: settings())
        _ = machine.connected()
        _ = machine.received(Self.start)
        let close = AMQPMethod.CloseReason(replyCode: 403, replyText: "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN", classID: 0, methodID: 0)
        let action = machine.received(.method(channel: 0, .connectionClose(close)))
        let expected = AMQPError(.authenticationFailed, replyCode: 403, close.replyText)
        #expect(action == .sendAndCloseSocket([.method(channel: 0, .connectionCloseOk)], expected))
        #expect(machine.socketClosed() == .reportClosed(expected))
    }

    @Test func aDroppedSocketAfterStartOkMeansBadCredentials() {
        var machine = Machine(settings: settings())
        _ = machine.connected()
        _ = machine.received(Self.start)
        guard case .reportClosed(let error?) = machine.socketClosed() else {
            Issue.record("no error")
            return
        }
        #expect(error.code == .authenticationFailed)
    }

    @Test func brokerWithoutPlainOrWrongVersionIsRefused() {
        var machine = Machine(settings: settings())
        _ = machine.connected()
        let noPlain = AMQPFrame.method(channel: 0, .connectionStart(.init(serverProperties: [:], mechanisms: "EXTERNAL", locales: "en_US")))
        guard case .closeSocket(let error?) = machine.received(noPlain) else {
            Issue.record("not refused")
            return
        }
        #expect(error.code == .authenticationFailed)

        var other = Machine(settings: settings())
        _ = other.connected()
        guard case .closeSocket(let versionError?) = other.received(.method(channel: 0, .connectionStart(.init(versionMajor: 1, versionMinor: 0, serverProperties: [:], mechanisms: "PLAIN", locales: "")))) else {
            Issue.record("not refused")
            return
        }
        #expect(versionError.code == .protocolError)
    }

    @Test func brokerCloseIsAnsweredAndSurfacedWithItsReplyCode() {
        var machine = openMachine()
        let close = AMQPMethod.CloseReason(replyCode: 320, replyText: "CONNECTION_FORCED - Closed via management plugin")
        let expected = AMQPError(.connectionClosed, replyCode: 320, close.replyText)
        #expect(machine.received(.method(channel: 0, .connectionClose(close))) == .sendAndCloseSocket([.method(channel: 0, .connectionCloseOk)], expected))
        // Frames after the close are dropped, and the socket close reports the broker's reason.
        #expect(machine.received(.method(channel: 1, .channelOpenOk)) == .none)
        #expect(machine.socketClosed() == .reportClosed(expected))
        #expect(machine.socketClosed() == .none)
    }

    @Test func clientCloseWaitsForCloseOkAndIsClean() {
        var machine = openMachine()
        #expect(machine.closeRequested() == .send([.method(channel: 0, .connectionClose(.init(replyCode: 200, replyText: "Goodbye")))]))
        #expect(machine.closeRequested() == .none)
        // While closing, channel frames are discarded (spec 2.2.4).
        #expect(machine.received(.method(channel: 3, .basicAck(deliveryTag: 1, multiple: false))) == .none)
        #expect(machine.received(.method(channel: 0, .connectionCloseOk)) == .closeSocket(nil))
        #expect(machine.socketClosed() == .reportClosed(nil))
    }

    @Test func channelFramesAreForwardedOnlyWhenOpen() {
        var machine = openMachine()
        let frame = AMQPFrame.method(channel: 2, .channelOpenOk)
        #expect(machine.received(frame) == .forward(frame))
        #expect(machine.received(.method(channel: 0, .connectionBlocked(reason: "low on memory"))) == .blocked(reason: "low on memory"))
        #expect(machine.received(.method(channel: 0, .connectionUnblocked)) == .unblocked)
    }

    @Test func heartbeatsGoOutEachTickAndTwoSilentIntervalsKillTheConnection() {
        var machine = openMachine()
        // Ticks are half intervals: three silent ticks still send heartbeats...
        for _ in 0..<3 { #expect(machine.heartbeatTick() == .send([.heartbeat])) }
        // ...any frame from the broker resets the count...
        _ = machine.received(.heartbeat)
        for _ in 0..<3 { #expect(machine.heartbeatTick() == .send([.heartbeat])) }
        // ...and the fourth silent tick (two full intervals) gives up.
        let error = AMQPError(.heartbeatTimeout, "no frame from the broker for two heartbeat intervals")
        #expect(machine.heartbeatTick() == .closeSocket(error))
        #expect(machine.heartbeatTick() == .none)
        #expect(machine.socketClosed() == .reportClosed(error))
    }

    @Test func lostSocketWhileOpenIsReported() {
        var machine = openMachine()
        guard case .reportClosed(let error?) = machine.socketClosed() else {
            Issue.record("no error")
            return
        }
        #expect(error.code == .connectionClosed)
    }

    @Test func unexpectedMethodOnChannelZeroClosesWith505() {
        var machine = openMachine()
        guard case .send(let frames) = machine.received(.method(channel: 0, .connectionTune(.init(channelMax: 0, frameMax: 0, heartbeat: 0)))),
              case .method(0, .connectionClose(let close)) = frames.first else {
            Issue.record("no close")
            return
        }
        #expect(close.replyCode == 505)
        #expect(machine.received(.method(channel: 0, .connectionCloseOk)) == .closeSocket(AMQPError(.unexpectedMethod, "unexpected connection method 10.30")))
    }
}
