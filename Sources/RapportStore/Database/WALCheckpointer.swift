import Logging
import NIOPosix
import Synchronization
import VaporCSQLite

/// Copies a SQLite store's write-ahead log back into the database on a connection and thread of
/// its own, when `WALCheckpointPolicy` says so after the writer's commits.
///
/// The checkpoint is SQLite's `PASSIVE` one: it copies what no reader still needs, waits for no
/// one, and syncs the log before copying and the database file after (the connection's
/// `synchronous=FULL`), so SQLite starts the log again only once what it held is on disk.
final class WALCheckpointer: Sendable {
    private struct Progress {
        var policy = WALCheckpointPolicy.State()
        var completed = 0
        var waiting: [(count: Int, resume: CheckedContinuation<Void, Never>)] = []
        var closed = false
    }

    private let connection: CheckpointConnection
    private let thread: NIOThreadPool
    private let policy: WALCheckpointPolicy
    private let progress = Mutex(Progress())
    private let logger: Logger

    init(databasePath: String, policy: WALCheckpointPolicy = .standard, logger: Logger) throws {
        self.connection = try CheckpointConnection(path: databasePath)
        self.policy = policy
        self.logger = logger
        self.thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// Called on the writer's thread after each commit with the log's length in frames; answers
    /// whether the writer should checkpoint now itself.
    func committed(logLength: Int) -> Bool {
        let decision = progress.withLock { policy.decide(length: logLength, state: &$0.policy) }
        switch decision {
        case .none:
            return false
        case .inline:
            return true
        case .background:
            thread.submit { state in
                if state == .active { self.checkpoint() }
                self.finish()
            }
            return false
        }
    }

    private func checkpoint() {
        do {
            try connection.checkpoint()
        } catch {
            logger.warning("the write-ahead log could not be checkpointed", metadata: ["error": "\(error)"])
        }
    }

    private func finish() {
        let ready = progress.withLock { progress -> [CheckedContinuation<Void, Never>] in
            policy.finished(state: &progress.policy)
            progress.completed += 1
            let ready = progress.waiting.filter { $0.count <= progress.completed }.map(\.resume)
            progress.waiting.removeAll { $0.count <= progress.completed }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once `count` background checkpoints have ended (or the checkpointer closed).
    func checkpointed(atLeast count: Int) async {
        await withCheckedContinuation { continuation in
            let now = progress.withLock { progress -> Bool in
                if progress.completed >= count || progress.closed { return true }
                progress.waiting.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets a running checkpoint end, then closes the connection.
    func close() async {
        try? await thread.shutdownGracefully()
        connection.close()
        let waiting = progress.withLock { progress in
            progress.closed = true
            defer { progress.waiting.removeAll() }
            return progress.waiting.map(\.resume)
        }
        for waiter in waiting { waiter.resume() }
    }
}

/// The checkpointer's connection: used only on the checkpointer's one thread, then closed.
private final class CheckpointConnection: @unchecked Sendable {
    private var handle: OpaquePointer?

    init(path: String) throws {
        let handle = try SQLiteFailure.open(path, flags: SQLITE_OPEN_READWRITE)
        // FULL (SQLite's default, said here so that no build default changes it): the log is synced
        // before its pages are copied and the database file after, before SQLite may start the log again.
        let set = sqlite_nio_sqlite3_exec(handle, "PRAGMA synchronous=FULL", nil, nil, nil)
        guard set == SQLITE_OK else {
            let failure = SQLiteFailure(set, on: handle)
            sqlite_nio_sqlite3_close(handle)
            throw failure
        }
        self.handle = handle
    }

    private var logOpened = false

    /// Runs a passive checkpoint; another checkpoint running (`SQLITE_BUSY`) is not a failure.
    func checkpoint() throws {
        guard let handle else { return }
        if !logOpened {
            // A connection finds the log when it first reads; until then a checkpoint does nothing.
            let read = sqlite_nio_sqlite3_exec(handle, "PRAGMA schema_version", nil, nil, nil)
            guard read == SQLITE_OK else { throw SQLiteFailure(read, on: handle) }
            logOpened = true
        }
        let code = sqlite_nio_sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        guard code == SQLITE_OK || code & 0xff == SQLITE_BUSY else { throw SQLiteFailure(code, on: handle) }
    }

    func close() {
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }
}
