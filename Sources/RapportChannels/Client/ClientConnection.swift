import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a mail server (an SMTP relay, an IMAP server): commands go out, the
/// server's responses come back, each read by the protocol's decoder. Responses are handed to
/// waiters in order on the connection's event loop (those that come before anyone waits are
/// kept); a timeout or a closed connection fails every waiter.
final class ClientConnection<Response: Sendable>: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<ResponseHandler<Response>>
    private let timeout: TimeAmount

    private init(channel: any Channel, handler: NIOLoopBound<ResponseHandler<Response>>, timeout: TimeAmount) {
        self.channel = channel
        self.handler = handler
        self.timeout = timeout
    }

    /// Connects, with TLS from the first byte when `implicitTLS` is given.
    static func connect<Decoder: ByteToMessageDecoder & Sendable>(
        host: String, port: Int, implicitTLS: NIOSSLContext?, timeout: Duration, decoder: Decoder,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ClientConnection<Response> where Decoder.InboundOut == Response {
        let amount = TimeAmount.nanoseconds(timeout.nanoseconds)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(amount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: implicitTLS, serverHostname: Self.serverName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(decoder), ResponseHandler<Response>()])
                }
            }
            .connect(host: host, port: port)
            .get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ResponseHandler<Response>.self), eventLoop: channel.eventLoop)
        }.get()
        return ClientConnection(channel: channel, handler: handler, timeout: amount)
    }

    /// The name TLS checks the certificate against: none for an IP address (SNI takes names only).
    static func serverName(_ host: String) -> String? {
        let isAddress = host.contains(":") || host.split(separator: ".").allSatisfy { Int($0) != nil }
        return isAddress ? nil : host
    }

    /// Sends `line` (CRLF is added) and waits for the next response; with nil, only waits (for
    /// a greeting, or the rest of a command's responses).
    func command(_ line: String?) async throws -> Response {
        try await exchange(line.map { ByteBuffer(string: $0 + "\r\n") }, timeout: timeout)
    }

    /// Sends `bytes` (if any) and waits for the next response, at most `timeout`.
    func exchange(_ bytes: ByteBuffer?, timeout: TimeAmount) async throws -> Response {
        let channel = self.channel, handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Response.self)
        channel.eventLoop.execute {
            handler.value.wait(promise)
            let timer = channel.eventLoop.scheduleTask(in: timeout) { handler.value.fail(ClientConnectionError.timedOut, closing: channel) }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            if let bytes { channel.writeAndFlush(bytes).whenFailure { handler.value.fail($0, closing: channel) } }
        }
        return try await Self.awaiting(promise, on: channel)
    }

    /// Waits for `promise`; a cancelled task closes the connection, which fails the wait, so
    /// shutting down never waits on a quiet server.
    private static func awaiting(_ promise: EventLoopPromise<Response>, on channel: any Channel) async throws -> Response {
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// The next response if one comes within `quiet`, else nil; the connection stays open (an
    /// IMAP IDLE waiting for news).
    func next(within quiet: TimeAmount) async throws -> Response? {
        let channel = self.channel, handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Response.self)
        channel.eventLoop.execute {
            handler.value.wait(promise)
            let timer = channel.eventLoop.scheduleTask(in: quiet) { handler.value.withdraw(promise) }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        do {
            return try await Self.awaiting(promise, on: channel)
        } catch ClientConnectionError.quiet {
            return nil
        }
    }

    /// Writes `bytes` without waiting for a response (a message's content before its end).
    func write(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes).get()
    }

    /// Puts TLS under the connection after the server agreed to `STARTTLS`.
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

/// Hands the server's responses to the waiters in order; responses that come before anyone
/// waits (a greeting, the untagged lines of an IMAP command) are kept for the next waiter.
final class ResponseHandler<Response: Sendable>: ChannelInboundHandler {
    typealias InboundIn = Response

    private var waiters = CircularBuffer<EventLoopPromise<Response>>()
    private var early = CircularBuffer<Response>()
    private var failure: (any Error)?

    func wait(_ promise: EventLoopPromise<Response>) {
        if let reply = early.popFirst() {
            promise.succeed(reply)
        } else if let failure {
            promise.fail(failure)
        } else {
            waiters.append(promise)
        }
    }

    /// Stops `promise` waiting (it fails with `quiet`) when no response has come for it yet.
    func withdraw(_ promise: EventLoopPromise<Response>) {
        guard let index = waiters.firstIndex(where: { $0.futureResult === promise.futureResult }) else { return }
        waiters.remove(at: index)
        promise.fail(ClientConnectionError.quiet)
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
        if failure == nil { failure = ClientConnectionError.closed }
        while let waiter = waiters.popFirst() { waiter.fail(failure ?? ClientConnectionError.closed) }
        context.fireChannelInactive()
    }
}
