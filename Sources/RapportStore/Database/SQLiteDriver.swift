import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writing connection with `synchronous=FULL`, and a few readers.
final class SQLiteDriver: DatabaseDriver {
    let flavor = SQLFlavor.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let threads: NIOThreadPool
    private let loops: MultiThreadedEventLoopGroup
    let writerExecutor: (any TaskExecutor)?
    private let logger: Logger

    static func open(directory: String, readers readerCount: Int = 2, logger: Logger) async throws -> SQLiteDriver {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("rapport.sqlite")
        // Own threads per database: a connection waiting on another process's lock blocks one of
        // these threads, never the threads another store needs to finish and release that lock.
        let threads = NIOThreadPool(numberOfThreads: readerCount + 1)
        threads.start()
        // A loop of its own, so statement completions never queue behind HTTP work on the shared loops.
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = loops.next()
        let writer: SQLiteConnection
        do {
            writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: loop)
        } catch {
            try? await threads.shutdownGracefully()
            try? await loops.shutdownGracefully()
            throw error
        }
        do {
            // WAL lets readers work while the writer commits; FULL makes every commit durable
            // against power loss, which costs nothing extra with group commit.
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                           "PRAGMA busy_timeout=10000", "PRAGMA wal_autocheckpoint=4000",
                           "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY"] {
                try await writer.sql().raw(SQLQueryString(pragma)).run()
            }
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: loop)
                try await reader.sql().raw("PRAGMA query_only=ON").run()
                try await reader.sql().raw("PRAGMA busy_timeout=10000").run()
                readers.append(reader)
            }
            return SQLiteDriver(writer: writer, readers: readers, threads: threads, loops: loops, logger: logger)
        } catch {
            try? await writer.close()
            try? await threads.shutdownGracefully()
            try? await loops.shutdownGracefully()
            throw error
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threads: NIOThreadPool,
                 loops: MultiThreadedEventLoopGroup, logger: Logger) {
        self.loops = loops
        self.writerExecutor = EventLoopExecutor(loop: writer.eventLoop)
        self.writer = writer
        self.readers = readers
        self.threads = threads
        self.logger = logger
    }

    func withWriter<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await body(writer.sql(queryLogLevel: nil))
    }

    func withReader<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await body(readers[index % readers.count].sql(queryLogLevel: nil))
    }

    func run() async {}

    /// One process writes a SQLite store; its commits are announced in process.
    func followCommits(_ report: @escaping @Sendable (Int64) async -> Void) async {}

    func announce(head: Int64, on database: any SQLDatabase) async throws {}

    func close() async {
        for reader in readers { try? await reader.close() }
        try? await writer.close()
        try? await threads.shutdownGracefully()
        try? await loops.shutdownGracefully()
    }
}
