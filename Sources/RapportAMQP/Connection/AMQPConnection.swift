import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// An open AMQP 0-9-1 connection. Open channels on it; it reports its own closing through `closeFuture`.
/// It does not reconnect: a service owns that, with `AMQPBackoff`.
public final class AMQPConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<AMQPConnectionHandler>
    private let state: AMQPConnectionSharedState
    /// The limits agreed with the broker.
    public let negotiated: AMQPNegotiatedSettings
    /// What the broker said about itself in connection.start (product, version, capabilities).
    public let serverProperties: AMQPFieldTable
    /// Succeeds when `close()` closed the connection; fails with an `AMQPError` saying why otherwise
    /// (broker connection.close with its reply code, lost socket, missed heartbeats).
    public let closeFuture: EventLoopFuture<Void>

    private init(channel: any Channel, handler: NIOLoopBound<AMQPConnectionHandler>, state: AMQPConnectionSharedState, handshake: AMQPConnectionHandler.Handshake, closeFuture: EventLoopFuture<Void>) {
        self.channel = channel
        self.handler = handler
        self.state = state
        self.negotiated = handshake.negotiated
        self.serverProperties = handshake.serverProperties
        self.closeFuture = closeFuture
    }

    /// Connects, runs the handshake and returns an open connection, or throws (`authenticationFailed`,
    /// `connectionTimeout`, `connectionClosed` with the broker's reply code, `ioError`).
    public static func connect(_ configuration: AMQPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) async throws -> AMQPConnection {
        let eventLoop = eventLoopGroup.next()
        let sslContext = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        let handshakePromise = eventLoop.makePromise(of: AMQPConnectionHandler.Handshake.self)
        let closedPromise = eventLoop.makePromise(of: Void.self)
        // Nobody may be waiting on the close future; keep failures from being reported as unobserved.
        closedPromise.futureResult.whenFailure { _ in }
        let state = AMQPConnectionSharedState()
        let handlerPromise = eventLoop.makePromise(of: NIOLoopBound<AMQPConnectionHandler>.self)
        var logger = logger
        logger[metadataKey: "amqp.host"] = "\(configuration.host):\(configuration.port)"
        let connectLogger = logger
        let settings = configuration.settings
        let host = configuration.host

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectionTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        // SNI must not carry an IP address literal.
                        let isIPAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                        try sync.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: isIPAddress ? nil : host))
                    }
                    let handler = AMQPConnectionHandler(settings: settings, handshakePromise: handshakePromise, closedPromise: closedPromise, state: state, logger: connectLogger)
                    try sync.addHandler(ByteToMessageHandler(AMQPFrameDecoder(frameMax: settings.frameMax)))
                    try sync.addHandler(MessageToByteHandler(AMQPFrameEncoder()))
                    try sync.addHandler(handler)
                    handlerPromise.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    handlerPromise.fail(error)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch let error as ChannelError where error == .connectTimeout(configuration.connectionTimeout) {
            handlerPromise.fail(error)
            handshakePromise.fail(error)
            throw AMQPError(.connectionTimeout, "TCP connect to \(configuration.host):\(configuration.port) timed out")
        } catch {
            handlerPromise.fail(error)
            handshakePromise.fail(error)
            throw AMQPError(.ioError, "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        let handler = try await handlerPromise.futureResult.get()
        // The handshake shares the connect timeout budget; a broker that accepts TCP and then stalls must not hang us.
        let timeout = eventLoop.scheduleTask(in: configuration.connectionTimeout) {
            handler.value.abortHandshake(AMQPError(.connectionTimeout, "AMQP handshake timed out"))
        }
        defer { timeout.cancel() }
        let handshake = try await handshakePromise.futureResult.get()
        return AMQPConnection(channel: channel, handler: handler, state: state, handshake: handshake, closeFuture: closedPromise.futureResult)
    }

    /// Opens a new channel with the lowest free number.
    public func openChannel() async throws -> AMQPChannel {
        let promise = channel.eventLoop.makePromise(of: UInt16.self)
        let handler = handler
        channel.eventLoop.execute { handler.value.openChannel(promise) }
        let id = try await promise.futureResult.get()
        return AMQPChannel(id: id, connection: self)
    }

    /// Closes the connection cleanly (connection.close, then close-ok); open channels end with `channelClosed`.
    public func close() async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let handler = handler
        channel.eventLoop.execute { handler.value.close(promise) }
        try await promise.futureResult.get()
    }

    /// Waits until the connection is closed; returns nil after `close()`, or the reason otherwise.
    public func waitUntilClosed() async -> AMQPError? {
        do {
            try await closeFuture.get()
            return nil
        } catch let error as AMQPError {
            return error
        } catch {
            return AMQPError(.ioError, "\(error)")
        }
    }

    /// True while the broker has blocked publishing on this connection (connection.blocked, e.g. low memory or disk).
    public var isBlocked: Bool { state.isBlocked }

    /// How many times this connection stopped reading from the socket because a consumer's buffer
    /// was full (TCP backpressure towards the broker); a consumer that keeps pace never causes one.
    public var readPauses: Int { state.readPauses }

    /// Whether the socket is still open.
    public var isOpen: Bool { channel.isActive }
}
