import Foundation
import Logging
import NIOPosix
import Synchronization

/// Syncs a SQLite database's write-ahead log to disk for commits made with `synchronous=NORMAL`,
/// one sync for every commit that arrived while the one before ran.
///
/// A commit's frames are in the WAL file when `COMMIT` returns; syncing the file afterwards gives
/// what `synchronous=FULL` gives (SQLite itself syncs the WAL before each checkpoint), while the
/// writer goes on with the next transaction instead of waiting for the disk.
final class WALSync: CommitDurability {
    private struct State {
        var waiting: [@Sendable (Result<Void, any Error>) -> Void] = []
        var syncing = false
    }

    private let state = Mutex(State())
    private let file: WALFile
    private let thread: NIOThreadPool
    private let logger: Logger
    let visibleBeforeDurable = true

    init(databasePath: String, logger: Logger) {
        self.file = WALFile(path: databasePath + "-wal")
        self.thread = NIOThreadPool(numberOfThreads: 1)
        self.logger = logger
        thread.start()
    }

    func afterDurable(_ done: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        let start = state.withLock { state -> Bool in
            state.waiting.append(done)
            if state.syncing { return false }
            state.syncing = true
            return true
        }
        if start { thread.submit { _ in self.drain() } }
    }

    /// Syncs until no commit waits; each round covers every commit that was waiting when it began.
    private func drain() {
        while true {
            let round = state.withLock { state -> [@Sendable (Result<Void, any Error>) -> Void] in
                let round = state.waiting
                state.waiting.removeAll()
                if round.isEmpty { state.syncing = false }
                return round
            }
            if round.isEmpty { return }
            let outcome: Result<Void, any Error>
            do {
                try file.sync()
                outcome = .success(())
            } catch {
                logger.critical("the write-ahead log could not be synced to disk", metadata: ["error": "\(error)"])
                outcome = .failure(error)
            }
            for done in round { done(outcome) }
        }
    }

    func close() async {
        try? await thread.shutdownGracefully()
        file.close()
    }
}

/// The WAL file, opened on first use and again whenever SQLite has made a new one.
private final class WALFile: @unchecked Sendable {
    // Only `WALSync.drain` touches it, one round at a time.
    private let path: String
    private var descriptor: Int32 = -1

    init(path: String) {
        self.path = path
    }

    func sync() throws {
        var onDisk = stat()
        guard stat(path, &onDisk) == 0 else { throw StoreError(.unavailable, "the write-ahead log is missing (errno \(errno))") }
        var open = stat()
        if descriptor < 0 || fstat(descriptor, &open) != 0 || open.st_ino != onDisk.st_ino || open.st_dev != onDisk.st_dev {
            close()
            descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw StoreError(.unavailable, "cannot open the write-ahead log (errno \(errno))") }
        }
        guard fdatasync(descriptor) == 0 else { throw StoreError(.unavailable, "cannot sync the write-ahead log (errno \(errno))") }
    }

    func close() {
        if descriptor >= 0 { _ = Foundation.close(descriptor) }
        descriptor = -1
    }
}
