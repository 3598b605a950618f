import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RapportCore
import RapportStore
import ServiceLifecycle

/// How `rapport serve` receives email: where it listens, what it calls itself, how large a
/// message and how many per sender per minute it takes, and the certificate for STARTTLS.
public struct SMTPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var hostname: String
    public var maxMessageBytes: Int
    public var senderRatePerMinute: Int
    /// PEM certificate chain and private key files; STARTTLS is offered when both are given.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Attachments larger than this are listed, not kept.
    public var attachmentMaxBytes: Int

    public init(host: String, port: Int, hostname: String, maxMessageBytes: Int, senderRatePerMinute: Int,
                tlsCertificatePath: String?, tlsKeyPath: String?, attachmentMaxBytes: Int) {
        self.host = host
        self.port = port
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
        self.senderRatePerMinute = senderRatePerMinute
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.attachmentMaxBytes = attachmentMaxBytes
    }
}

/// The SMTP server inside `rapport serve`: takes mail for the email channels' addresses and
/// answers `250` once a message is committed.
public final class SMTPServer: Service {
    private let configuration: SMTPServerConfiguration
    private let intake: any MailIntake
    private let tls: NIOSSLContext?
    private let rateLimit: SharedSenderRateLimit
    private let logger: Logger
    private let ready: @Sendable () async throws -> Void
    private let onListening: @Sendable (Int) async -> Void

    /// Fails when the TLS files cannot be read, so `serve` refuses to start.
    init(configuration: SMTPServerConfiguration, intake: any MailIntake, logger: Logger,
         clock: @escaping @Sendable () -> Double = SMTPServer.monotonicSeconds,
         ready: @escaping @Sendable () async throws -> Void = {},
         onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws {
        self.configuration = configuration
        self.ready = ready
        self.intake = intake
        self.logger = logger
        self.onListening = onListening
        self.rateLimit = SharedSenderRateLimit(perMinute: configuration.senderRatePerMinute, clock: clock)
        if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            let tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                            privateKey: .privateKey(key))
            tls = try NIOSSLContext(configuration: tlsConfiguration)
        } else {
            tls = nil
        }
    }

    private static let start = ContinuousClock.now

    /// Seconds on a monotonic clock: the rate limit's default time.
    public static let monotonicSeconds: @Sendable () -> Double = {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// The SMTP server for the email channels of `store`; it listens once the schema is current.
    public convenience init(configuration: SMTPServerConfiguration, store: Store, normalizer: IdentityNormalizer, logger: Logger,
                            onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws {
        let intake = ChannelMailIntake(organization: store.organization, mail: store.mail, writer: store, normalizer: normalizer,
                                       attachmentMaxBytes: configuration.attachmentMaxBytes)
        try self.init(configuration: configuration, intake: intake, logger: logger,
                      ready: { try await store.waitUntilSchemaIsCurrent() }, onListening: onListening)
    }

    public func run() async throws {
        try await ready()
        let session = SMTPSession.Configuration(hostname: configuration.hostname, maxMessageBytes: configuration.maxMessageBytes,
                                                tlsAvailable: tls != nil)
        let intake = self.intake, rateLimit = self.rateLimit, tls = self.tls, logger = self.logger
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: .minutes(5)),
                        ByteToMessageHandler(SMTPLineDecoder(maxLineLength: 64 * 1_024)),
                        SMTPConnectionHandler(configuration: session, intake: intake, rateLimit: rateLimit, tls: tls, logger: logger),
                    ])
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("SMTP server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)",
                                                        "starttls": "\(tls != nil)"])
        await onListening(port)
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}
