import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a relay: a line goes out, the relay's reply comes back. Replies are
/// matched to waiters in order on the connection's event loop; a timeout or a closed
/// connection fails every waiter.
final class SMTPClientConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    private let timeout: TimeAmount

    private init(channel: any Channel, handler: NIOLoopBound<SMTPClientHandler>, timeout: TimeAmount) {
        self.channel = channel
        self.handler = handler
        self.timeout = timeout
    }

    /// Connects, with TLS from the first byte when `implicitTLS` is given.
    static func connect(host: String, port: Int, implicitTLS: NIOSSLContext?, timeout: Duration,
                        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SMTPClientConnection {
        let amount = TimeAmount.nanoseconds(timeout.nanoseconds)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(amount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: implicitTLS, serverHostname: Self.serverName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(SMTPReplyDecoder()), SMTPClientHandler()])
                }
            }
            .connect(host: host, port: port)
            .get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPClientConnection(channel: channel, handler: handler, timeout: amount)
    }

    /// The name TLS checks the certificate against: none for an IP address (SNI takes names only).
    static func serverName(_ host: String) -> String? {
        let isAddress = host.contains(":") || host.split(separator: ".").allSatisfy { Int($0) != nil }
        return isAddress ? nil : host
    }

    /// Sends `line` (CRLF is added) and waits for the reply; with nil, waits for the next reply
    /// (the greeting).
    func command(_ line: String?) async throws -> SMTPReply {
        try await exchange(line.map { ByteBuffer(string: $0 + "\r\n") }, timeout: timeout)
    }

    /// Sends `bytes` and waits for the reply, at most `timeout`.
    func exchange(_ bytes: ByteBuffer?, timeout: TimeAmount) async throws -> SMTPReply {
        let channel = self.channel, handler = self.handler
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        channel.eventLoop.execute {
            handler.value.wait(promise)
            let timer = channel.eventLoop.scheduleTask(in: timeout) { handler.value.fail(SMTPClientError.timedOut, closing: channel) }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            if let bytes { channel.writeAndFlush(bytes).whenFailure { handler.value.fail($0, closing: channel) } }
        }
        return try await promise.futureResult.get()
    }

    /// Writes `bytes` without waiting for a reply (the message's content before its end).
    func write(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes).get()
    }

    /// Puts TLS under the connection after `STARTTLS` was answered `220`.
    func startTLS(_ context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                                                            position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// Hands the relay's replies to the waiters in order; replies that come before anyone waits
/// (the greeting) are kept for the next waiter.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply

    private var waiters = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var early = CircularBuffer<SMTPReply>()
    private var failure: (any Error)?

    func wait(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = early.popFirst() {
            promise.succeed(reply)
        } else if let failure {
            promise.fail(failure)
        } else {
            waiters.append(promise)
        }
    }

    func fail(_ error: any Error, closing channel: any Channel) {
        if failure == nil { failure = error }
        while let waiter = waiters.popFirst() { waiter.fail(failure ?? error) }
        channel.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let waiter = waiters.popFirst() { waiter.succeed(reply) } else { early.append(reply) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, closing: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if failure == nil { failure = SMTPClientError.closed }
        while let waiter = waiters.popFirst() { waiter.fail(failure ?? SMTPClientError.closed) }
        context.fireChannelInactive()
    }
}
