import Foundation
import Logging
import NIOPosix
import PostgresKit

/// PostgreSQL through a pooled client; the writer borrows one connection per transaction.
final class PostgresDriver: DatabaseDriver {
    let flavor = SQLFlavor.postgres
    let writerExecutor: (any TaskExecutor)?
    let durability: any CommitDurability = DurableOnCommit()
    /// The writer's connections live on a loop of their own, where the writer task also runs.
    private let writerClient: PostgresClient
    private let writerLoops: MultiThreadedEventLoopGroup
    private let readerClient: PostgresClient
    private let listener: PostgresCommitListener

    init(url: String, logger: Logger) throws {
        let (configuration, single) = try PostgresDriver.configurations(url: url)
        listener = PostgresCommitListener(configuration: single, logger: logger)
        var writerConfiguration = configuration
        writerConfiguration.options.maximumConnections = 2
        writerLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        writerClient = PostgresClient(configuration: writerConfiguration, eventLoopGroup: writerLoops, backgroundLogger: logger)
        writerExecutor = EventLoopExecutor(loop: writerLoops.next())
        readerClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Reads a `postgres://` URL, for the pools and for a single connection; `sslmode` may be
    /// disable, prefer (default) or require, and `pool_size` (1–200, default 12) bounds the
    /// readers' pool (the writer keeps two connections and the commit listener one of its own).
    static func configurations(url: String) throws -> (pooled: PostgresClient.Configuration, single: PostgresConnection.Configuration) {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw StoreError(.invalidReference, "database URL must look like postgres://user:password@host:5432/database")
        }
        let query = components.queryItems ?? []
        let sslMode = query.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        let singleTLS: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable":
            (tls, singleTLS) = (.disable, .disable)
        case "prefer", "allow":
            (tls, singleTLS) = (.prefer(.makeClientConfiguration()), .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())))
        case "require", "verify-ca", "verify-full":
            (tls, singleTLS) = (.require(.makeClientConfiguration()), .require(try NIOSSLContext(configuration: .makeClientConfiguration())))
        default: throw StoreError(.invalidReference, "database URL: sslmode must be disable, prefer or require")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? nil : path
        let username = components.user?.removingPercentEncoding ?? "postgres"
        let password = components.password?.removingPercentEncoding
        let port = components.port ?? 5432
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = try poolSize(query)
        let single = PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                      database: database, tls: singleTLS)
        return (configuration, single)
    }

    static let defaultPoolSize = 12

    private static func poolSize(_ query: [URLQueryItem]) throws -> Int {
        guard let text = query.first(where: { $0.name == "pool_size" })?.value else { return defaultPoolSize }
        guard let size = Int(text), (1...200).contains(size) else {
            throw StoreError(.invalidReference, "database URL: pool_size must be a whole number from 1 to 200")
        }
        return size
    }

    func withWriter<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await writerClient.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    func withReader<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await readerClient.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.writerClient.run() }
            group.addTask { await self.readerClient.run() }
        }
    }

    func followCommits(_ report: @escaping @Sendable (Int64) async -> Void) async {
        await listener.follow(report)
    }

    func announce(head: Int64, on database: any SQLDatabase) async throws {
        try await PostgresCommitListener.announce(head: head, on: database)
    }

    func close() async {
        try? await writerLoops.shutdownGracefully()
    }
}
