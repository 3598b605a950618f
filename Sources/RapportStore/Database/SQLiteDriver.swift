import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writing connection, and a few readers.
///
/// The writer's connection runs statements on the writer's own thread (an event loop of its own,
/// where the store's writer task runs); readers go through SQLiteNIO's thread pool. The writer
/// commits with `synchronous=NORMAL` and `WALSync` then syncs the log before anything committed
/// is acknowledged: as durable as `FULL`, without the writer waiting for the disk.
final class SQLiteDriver: DatabaseDriver {
    let flavor = SQLFlavor.sqlite
    private let writer: SQLiteWriterConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let threads: NIOThreadPool
    private let loops: MultiThreadedEventLoopGroup
    let writerExecutor: (any TaskExecutor)?
    private let walSync: WALSync
    private let checkpointer: WALCheckpointer
    var durability: any CommitDurability { walSync }
    private let logger: Logger

    static func open(directory: String, readers readerCount: Int = 2, logger: Logger) async throws -> SQLiteDriver {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("rapport.sqlite")
        // Own threads per database: a connection waiting on another process's lock blocks one of
        // these threads, never the threads another store needs to finish and release that lock.
        let threads = NIOThreadPool(numberOfThreads: readerCount)
        threads.start()
        // Loops of their own, so statement completions never queue behind HTTP work on the shared
        // loops: one where the writer runs its statements, one where readers' results arrive.
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let writerLoop = loops.next()
        let loop = loops.next()
        let writer: SQLiteWriterConnection
        do {
            writer = try SQLiteWriterConnection.open(path: path, on: writerLoop, logger: logger)
        } catch {
            try? await threads.shutdownGracefully()
            try? await loops.shutdownGracefully()
            throw error
        }
        var checkpointer: WALCheckpointer?
        var readers: [SQLiteConnection] = []
        do {
            // WAL lets readers work while the writer commits; NORMAL leaves the sync of each
            // commit to `WALSync` (SQLite still syncs the log before every checkpoint). The
            // writer's cache of 16 MB: at each commit SQLite walks the whole page cache to drop
            // pages past the end of the file, and with 64 MB that walk was 6-8% of the writer's
            // time against ~4% spent reading pages it no longer keeps (docs/benchmarks.md).
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                           "PRAGMA busy_timeout=10000", "PRAGMA cache_size=-16384", "PRAGMA temp_store=MEMORY"] {
                try await writer.raw(SQLQueryString(pragma)).run()
            }
            // Checkpoints off the writer's thread (`WALCheckpointPolicy`).
            let opened = try WALCheckpointer(databasePath: path, logger: logger)
            checkpointer = opened
            writer.checkpoint(with: opened)
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: loop)
                try await reader.sql().raw("PRAGMA query_only=ON").run()
                try await reader.sql().raw("PRAGMA busy_timeout=10000").run()
                readers.append(reader)
            }
            return SQLiteDriver(writer: writer, readers: readers, checkpointer: opened, threads: threads, loops: loops,
                                walSync: WALSync(databasePath: path, logger: logger), logger: logger)
        } catch {
            for reader in readers { try? await reader.close() }
            await checkpointer?.close()
            writer.close()
            try? await threads.shutdownGracefully()
            try? await loops.shutdownGracefully()
            throw error
        }
    }

    private init(writer: SQLiteWriterConnection, readers: [SQLiteConnection], checkpointer: WALCheckpointer,
                 threads: NIOThreadPool, loops: MultiThreadedEventLoopGroup, walSync: WALSync, logger: Logger) {
        self.walSync = walSync
        self.checkpointer = checkpointer
        self.loops = loops
        self.writerExecutor = EventLoopExecutor(loop: writer.eventLoop)
        self.writer = writer
        self.readers = readers
        self.threads = threads
        self.logger = logger
    }

    func withWriter<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await body(writer)
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
        await walSync.close()
        // The writer closes last: as the last connection, it checkpoints what is left and removes the log.
        await checkpointer.close()
        writer.close()
        try? await threads.shutdownGracefully()
        try? await loops.shutdownGracefully()
    }
}
