import Foundation
import Logging
import NIOPosix
import PostgresKit

/// PostgreSQL through a pooled client; the writer borrows one connection per transaction.
final class PostgresDriver: DatabaseDriver {
    let flavor = SQLFlavor.postgres
    let writerExecutor: (any TaskExecutor)?
    /// The writer's connections live on a loop of their own, where the writer task also runs.
    private let writerClient: PostgresClient
    private let writerLoops: MultiThreadedEventLoopGroup
    private let readerClient: PostgresClient

    init(url: String, logger: Logger) throws {
        let configuration = try PostgresDriver.configuration(url: url)
        var writerConfiguration = configuration
        writerConfiguration.options.maximumConnections = 2
        writerLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        writerClient = PostgresClient(configuration: writerConfiguration, eventLoopGroup: writerLoops, backgroundLogger: logger)
        writerExecutor = EventLoopExecutor(loop: writerLoops.next())
        readerClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Reads a `postgres://` URL; `sslmode` may be disable, prefer (default) or require.
    static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw StoreError(.invalidReference, "database URL must look like postgres://user:password@host:5432/database")
        }
        let query = components.queryItems ?? []
        let sslMode = query.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw StoreError(.invalidReference, "database URL: sslmode must be disable, prefer or require")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 12
        return configuration
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

    func close() async {
        try? await writerLoops.shutdownGracefully()
    }
}
