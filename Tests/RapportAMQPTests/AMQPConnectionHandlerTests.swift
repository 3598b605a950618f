import Logging
import NIOCore
import NIOEmbedded
@testable import RapportAMQP
import Testing

/// The NIO handler on an EmbeddedChannel: real pipeline, virtual time, bytes in and out.
@Suite("AMQP connection handler")
struct AMQPConnectionHandlerTests {
    struct Harness {
        let channel: EmbeddedChannel
        let loop: EmbeddedEventLoop
        let handshake: EventLoopPromise<AMQPConnectionHandler.Handshake>
        let closed: EventLoopPromise<Void>
        let handler: AMQPConnectionHandler

        init(heartbeat: UInt16 = 10) throws {
            loop = EmbeddedEventLoop()
            channel = EmbeddedChannel(loop: loop)
            handshake = loop.makePromise()
            closed = loop.makePromise()
            let settings = ConnectionStateMachine.Settings(username: "guest", password: "guest", virtualHost: "/", heartbeat: heartbeat)
            handler = AMQPConnectionHandler(settings: settings, handshakePromise: handshake, closedPromise: closed, state: AMQPConnectionSharedState(), logger: Logger(label: "test"))
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMQPFrameDecoder(frameMax: 131_072)))
            try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(AMQPFrameEncoder()))
            try channel.pipeline.syncOperations.addHandler(handler)
        }

        func send(_ frame: AMQPFrame) throws {
            var buffer = ByteBuffer()
            try AMQPFrameCodec.encode(frame, into: &buffer)
            try channel.writeInbound(buffer)
        }

        /// Every frame written since the last call.
        func written() throws -> [AMQPFrame] {
            var frames: [AMQPFrame] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                while let frame = try AMQPFrameCodec.decode(from: &buffer) { frames.append(frame) }
            }
            return frames
        }

        func open(heartbeat: UInt16 = 10) throws {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5672)).wait()
            #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: AMQPProtocolHeader.bytes))
            try send(.method(channel: 0, .connectionStart(.init(serverProperties: [:], mechanisms: "PLAIN", locales: "en_US"))))
            guard case .method(0, .connectionStartOk)? = try written().first else {
                Issue.record("no start-ok")
                return
            }
            try send(.method(channel: 0, .connectionTune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: heartbeat))))
            #expect(try written().count == 2)
            try send(.method(channel: 0, .connectionOpenOk))
        }
    }

    @Test func handshakeOverThePipelineCompletes() throws {
        let harness = try Harness()
        try harness.open()
        let handshake = try harness.handshake.futureResult.wait()
        #expect(handshake.negotiated == AMQPNegotiatedSettings(channelMax: 2047, frameMax: 131_072, heartbeat: 10))
    }

    @Test func heartbeatsEveryHalfIntervalAndASilentBrokerIsDroppedAfterTwoIntervals() throws {
        let harness = try Harness()
        try harness.open(heartbeat: 10)
        harness.loop.advanceTime(by: .seconds(5))
        #expect(try harness.written() == [.heartbeat])
        // Traffic from the broker keeps the connection alive.
        try harness.send(.heartbeat)
        harness.loop.advanceTime(by: .seconds(15))
        #expect(try harness.written() == [.heartbeat, .heartbeat, .heartbeat])
        #expect(harness.channel.isActive)
        harness.loop.advanceTime(by: .seconds(5))
        #expect(!harness.channel.isActive)
        #expect(throws: AMQPError(.heartbeatTimeout, "no frame from the broker for two heartbeat intervals")) {
            try harness.closed.futureResult.wait()
        }
    }

    @Test func brokerCloseIsAnsweredAndReportedOnTheCloseFuture() throws {
        let harness = try Harness()
        try harness.open()
        try harness.send(.method(channel: 0, .connectionClose(.init(replyCode: 320, replyText: "CONNECTION_FORCED - test"))))
        #expect(try harness.written() == [.method(channel: 0, .connectionCloseOk)])
        #expect(!harness.channel.isActive)
        #expect(throws: AMQPError(.connectionClosed, replyCode: 320, "CONNECTION_FORCED - test")) {
            try harness.closed.futureResult.wait()
        }
    }

    @Test func aChannelRequestGoesOutAndItsReplyComesBack() throws {
        let harness = try Harness()
        try harness.open()
        let opened = harness.loop.makePromise(of: UInt16.self)
        harness.handler.openChannel(opened)
        harness.loop.run()
        #expect(try harness.written() == [.method(channel: 1, .channelOpen)])
        try harness.send(.method(channel: 1, .channelOpenOk))
        #expect(try opened.futureResult.wait() == 1)

        let declared = harness.loop.makePromise(of: AMQPMethod.self)
        harness.handler.request(.queueDeclare(.init(queue: "q")), channelID: 1, declared)
        harness.loop.run()
        #expect(try harness.written() == [.method(channel: 1, .queueDeclare(.init(queue: "q")))])
        try harness.send(.method(channel: 1, .queueDeclareOk(queue: "q", messageCount: 2, consumerCount: 0)))
        #expect(try declared.futureResult.wait() == .queueDeclareOk(queue: "q", messageCount: 2, consumerCount: 0))
    }

    @Test func aHandshakeThatStallsIsAbortedWithATimeout() throws {
        let harness = try Harness()
        try harness.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5672)).wait()
        harness.handler.abortHandshake(AMQPError(.connectionTimeout, "AMQP handshake timed out"))
        #expect(throws: AMQPError(.connectionTimeout, "AMQP handshake timed out")) {
            try harness.handshake.futureResult.wait()
        }
        #expect(!harness.channel.isActive)
    }
}
