import Logging
import PostgresNIO
import RapportCore
import SQLKit

/// The single writer of a database, committing requests in groups.
///
/// Requests that arrive while a commit runs wait in the queue and are written together in the next
/// transaction; each gets its result only after the commit that holds its rows. One fsync then
/// serves many requests, and the event log gets its commit order for free on one node.
final class StoreWriter: Sendable {
    private let driver: any DatabaseDriver
    private let queue = WriteQueue()
    private let ids: RecordIDGenerator
    private let clock: @Sendable () -> Timestamp
    private let logger: Logger
    private let maxBatch: Int
    private let onCommit: @Sendable ([Event]) -> Void
    private let memo: WriterMemo
    private let undurable: UndurableEvents?

    init(driver: any DatabaseDriver, ids: RecordIDGenerator, clock: @escaping @Sendable () -> Timestamp,
         hybridClock: StoreHybridClock, logger: Logger, maxBatch: Int = 256, undurable: UndurableEvents?,
         onCommit: @escaping @Sendable ([Event]) -> Void) {
        self.driver = driver
        self.memo = WriterMemo(hybridClock: hybridClock)
        self.undurable = undurable
        self.ids = ids
        self.clock = clock
        self.logger = logger
        self.maxBatch = maxBatch
        self.onCommit = onCommit
    }

    /// Runs `work` in the next transaction and returns its result once that transaction committed.
    func write<T: Sendable>(prefetch: WritePrefetch, _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        try await send(prefetch: prefetch, work).value()
    }

    /// Queues `work` now, behind everything sent before it; its result is awaited later.
    func send<T: Sendable>(prefetch: WritePrefetch, _ work: @escaping @Sendable (WriteTransaction) async throws -> T) -> PendingWrite<T> {
        let pending = PendingWrite<T>()
        queue.submit(WriteJob(prefetch: prefetch, work: { try await work($0) }, complete: { pending.complete($0) }))
        return pending
    }

    /// Runs `work` in a transaction of its own that is then rolled back, and returns its result:
    /// what a write would do (a dry run of an import), with every check the write makes.
    func rehearse<T: Sendable>(prefetch: WritePrefetch, _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        let result: Result<any Sendable, any Error> = await withCheckedContinuation { continuation in
            queue.submit(WriteJob(prefetch: prefetch, work: { try await work($0) }, complete: { continuation.resume(returning: $0) },
                                  rehearsal: true))
        }
        return try result.get() as! T
    }

    /// Commits batches until the queue is closed and drained.
    func run() async {
        await withTaskExecutorPreference(driver.writerExecutor) {
            while let batch = await queue.nextBatch(limit: maxBatch) {
                await commit(batch)
            }
        }
    }

    func stop() {
        queue.close()
    }

    private struct BatchAborted: Error {}

    /// How many times a job the database gave up for others (a deadlock) is tried alone.
    static let transientAttempts = 3

    private func commit(_ batch: [WriteJob], attempt: Int = 1) async {
        if batch.count == 1, batch[0].rehearsal {
            await rehearse(batch[0])
            return
        }
        do {
            let prefetches = batch.map(\.prefetch).filter { !$0.isEmpty }
            let (results, events) = try await transaction { tx in
                if !prefetches.isEmpty { try await tx.lookups.load(prefetches, on: tx.database) }
                var results: [Result<any Sendable, any Error>] = []
                results.reserveCapacity(batch.count)
                for job in batch {
                    tx.beginJob()
                    do {
                        results.append(.success(try await job.work(tx)))
                    } catch {
                        // A job that failed after writing leaves the transaction half-done for it,
                        // and a statement PostgreSQL refused aborts the whole transaction there — the
                        // next jobs could not go on in it, and COMMIT would roll it back without a
                        // word. Only a rollback undoes either, so the batch is retried job by job.
                        let fromDatabase = error is PSQLError
                        if tx.jobHasWritten || fromDatabase, batch.count > 1 { throw BatchAborted() }
                        if tx.jobHasWritten || fromDatabase { throw error }
                        results.append(.failure(error))
                    }
                }
                return results
            }
            acknowledge(batch, results, events)
        } catch {
            if batch.count > 1 {
                if !(error is BatchAborted) {
                    logger.warning("group commit failed, retrying its jobs one by one", metadata: ["error": "\(String(reflecting: error))"])
                }
                for job in batch { await commit([job]) }
            } else if Self.isTransient(error), attempt < Self.transientAttempts {
                logger.info("a write was given up for another (deadlock); trying it again", metadata: ["attempt": "\(attempt)"])
                await commit(batch, attempt: attempt + 1)
            } else {
                batch[0].complete(.failure(error))
            }
        }
    }

    /// Whether the database gave the transaction up because of others (a deadlock, a serialization
    /// failure): tried again alone, it may well go through.
    static func isTransient(_ error: any Error) -> Bool {
        guard let failure = error as? PSQLError, let state = failure.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Hands the batch its results, and the log its events, once the commit is durable; until
    /// then readers of the log stop before its events. The writer meanwhile goes on.
    private func acknowledge(_ batch: [WriteJob], _ results: [Result<any Sendable, any Error>], _ events: [Event]) {
        let undurable = events.isEmpty ? nil : self.undurable
        if let first = events.first { undurable?.committed(from: first.sequence) }
        let onCommit = self.onCommit
        driver.durability.afterDurable { outcome in
            undurable?.madeDurable()
            onCommit(events)
            switch outcome {
            case .success:
                for (job, result) in zip(batch, results) { job.complete(result) }
            case .failure:
                // Committed, but whether it reached the disk is unknown: say so rather than yes.
                let failure = StoreError(.unavailable, "the change was committed but could not be synced to disk")
                for job in batch { job.complete(.failure(failure)) }
            }
        }
    }

    private struct Rehearsed: Error {
        let value: any Sendable
    }

    private func rehearse(_ job: WriteJob) async {
        do {
            _ = try await transaction { tx in
                if !job.prefetch.isEmpty { try await tx.lookups.load([job.prefetch], on: tx.database) }
                tx.beginJob()
                throw Rehearsed(value: try await job.work(tx))
            }
            job.complete(.failure(StoreError(.unavailable, "a rehearsal committed")))
        } catch let rehearsed as Rehearsed {
            job.complete(.success(rehearsed.value))
        } catch {
            job.complete(.failure(error))
        }
    }

    /// Runs `body` between BEGIN and COMMIT on the writing connection, rolling back on failure.
    private func transaction<T: Sendable>(_ body: (WriteTransaction) async throws -> T) async throws -> (T, [Event]) {
        try await driver.withWriter { database in
            let tx = WriteTransaction(database: database, flavor: driver.flavor, ids: ids, memo: memo, clock: clock)
            // IMMEDIATE takes SQLite's write lock up front, so a second process sharing the file
            // waits instead of failing halfway through a batch.
            try await database.raw(driver.flavor == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let value = try await body(tx)
                let events = try await tx.flushPending()
                if let head = events.last?.sequence { try await driver.announce(head: head, on: database) }
                try await database.raw("COMMIT").run()
                for action in tx.commitActions { action() }
                return (value, events)
            } catch {
                tx.discardPending()
                // What the rolled-back work taught the memo may not be true any more.
                memo.forgetAll()
                do {
                    try await database.raw("ROLLBACK").run()
                } catch {
                    logger.error("rollback failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                throw error
            }
        }
    }
}
