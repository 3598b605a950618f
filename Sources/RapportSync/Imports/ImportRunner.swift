import Foundation
import Logging
import RapportCore
import RapportStore
import ServiceLifecycle
import Synchronization

/// Runs imports. A job's file is read from where its progress says the next row starts, its rows
/// set out and checked (pure), then applied a batch at a time in one writer transaction that also
/// stores the progress — so an import interrupted at any moment goes on with the first row not
/// committed, and no row is imported twice. Uploaded jobs are taken by whichever node is free (a
/// lease renewed with every batch); `rapport import` runs its own local job with `run(_:file:)`.
public final class ImportRunner: Service, Sendable {
    let store: Store
    let imports: any ImportStore
    let recordTypes: any RecordTypeStore
    let normalizer: IdentityNormalizer
    let logger: Logger
    let interval: Duration
    let clock: any Clock<Duration>
    /// Rows per batch (one transaction each).
    let batchRows: Int
    let owner = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    static let lease: Duration = .seconds(60)
    /// Bytes of the file read at a time.
    let readSize: Int
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>?
        var woken = false
    }

    private let waiter = Mutex(Waiter())

    public init(store: Store, normalizer: IdentityNormalizer, logger: Logger, batchRows: Int = 2_000, readSize: Int = 1 << 20,
                interval: Duration = .seconds(5), clock: any Clock<Duration> = ContinuousClock()) {
        self.readSize = readSize
        self.store = store
        self.imports = store.imports
        self.recordTypes = store.recordTypes
        self.normalizer = normalizer
        self.logger = logger
        self.batchRows = batchRows
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            while !Task.isCancelled {
                do {
                    if try await self.runNextUpload() != nil { continue }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("import failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                await self.nap()
            }
        }
    }

    /// Wakes the runner now (a file was uploaded) instead of at its next look.
    public func wake() {
        waiter.withLock { state -> CheckedContinuation<Void, Never>? in
            state.woken = true
            defer { state.continuation = nil }
            return state.continuation
        }?.resume()
    }

    private func nap() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForWake() }
            group.addTask { try? await self.clock.sleep(for: self.interval) }
            await group.next()
            wake()
            group.cancelAll()
        }
        waiter.withLock { $0.woken = false }
    }

    private func waitForWake() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = waiter.withLock { state -> Bool in
                if state.woken { return true }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Takes the next uploaded job (or one another node stopped running) and runs it to its end.
    @discardableResult
    public func runNextUpload() async throws -> ImportJob? {
        let (owner, lease, imports) = (self.owner, Self.lease, self.imports)
        guard let job = try await store.write({ tx in try await imports.claimUpload(owner: owner, until: tx.now().adding(lease), in: tx) }) else {
            return nil
        }
        return try await run(job, file: UploadedImportFile(imports: imports, jobID: job.id))
    }

    /// Runs a local job (`rapport import`) from where it stopped; `progress` hears of every batch.
    public func runLocal(_ jobID: String, file: some ImportFile, progress: @escaping @Sendable (ImportJob) -> Void = { _ in }) async throws -> ImportJob {
        let (owner, lease, imports) = (self.owner, Self.lease, self.imports)
        let job = try await store.write { tx in try await imports.claimLocal(jobID, owner: owner, until: tx.now().adding(lease), in: tx) }
        return try await run(job, file: file, progress: progress)
    }

    /// Reads and applies the job's rows from its stored position to the end of its file.
    func run(_ job: ImportJob, file: some ImportFile, progress report: @Sendable (ImportJob) -> Void = { _ in }) async throws -> ImportJob {
        var job = job
        let plan: ImportPlan
        do { plan = try await ImportPlan.make(for: job, recordTypes: recordTypes, normalizer: normalizer) } catch let refusal as ImportPlan.Refusal {
            return try await finish(job, .failed, failure: refusal.reason)
        }
        let batches = ImportBatches(job: job, file: file, plan: plan, customers: store.customers, batchRows: batchRows,
                                    readSize: readSize)
        // The next batches are read and checked while this one is written.
        let readAhead = ImportReadAhead(batches, depth: 2)
        defer { readAhead.cancel() }
        // Two batches in flight to the writer: the next one is written while this one's commit
        // reaches the disk. A dry run rehearses one at a time.
        var flight = ImportFlight(job: job, sendAhead: job.spec.dryRun ? 1 : 2)
        do {
            var start = job.progress.bytesRead
            var readAll = false
            while true {
                do {
                    while !readAll, flight.hasRoom {
                        guard let batch = try await readAhead.next() else { readAll = true; break }
                        let step = ImportProgressStep(from: start, bytesRead: batch.bytesRead, rows: Int64(batch.count))
                        start = batch.bytesRead
                        flight.send(ImportFlight.Sent(rows: batch.rows, step: step, columns: batch.columns), with: self)
                    }
                    guard let stored = try await flight.nextStored(with: self) else { break }
                    job.progress.advance(by: stored.step)
                    job.columns = stored.columns
                    report(job)
                } catch {
                    // What was sent is committed or refused before the runner stops: nothing of
                    // this run is still being written once it has returned.
                    await flight.settle()
                    throw error
                }
            }
        } catch let refusal as ImportPlan.Refusal {
            return try await finish(job, .failed, failure: refusal.reason)
        } catch let error as StoreError where error.code == .conflict {
            // Cancelled, or taken over by another node after this one's lease ran out.
            logger.info("import stopped", metadata: ["import": "\(job.id)", "reason": "\(error.message)"])
            return try await imports.job(job.id) ?? job
        }
        return try await finish(job, .completed, failure: nil)
    }

    /// Sends one batch with its progress to the writer, in one transaction that begins by making
    /// sure the batch before it is stored. A dry run rehearses the batch (rolled back) and stores
    /// only the progress and the issues.
    func send(_ rows: PlannedRows, step: ImportProgressStep, columns: [String], job: ImportJob) -> @Sendable () async throws -> ImportBatchOutcome {
        let (imports, owner, lease, actor) = (self.imports, self.owner, Self.lease, job.actor)
        /// Stores the batch's progress with its outcome, the batch before it stored already.
        let record: @Sendable (ImportBatchOutcome, WriteTransaction) async throws -> Void = { outcome, tx in
            var stored = step
            stored.outcome = outcome
            try await imports.recordProgress(job.id, step: stored, columns: columns, leaseUntil: tx.now().adding(lease), in: tx)
        }
        guard job.spec.dryRun else {
            let pending = store.send(prefetch: rows.prefetch) { tx in
                try await imports.beginBatch(job.id, owner: owner, from: step.from, in: tx)
                let outcome = try await rows.apply(with: imports, actor: actor, in: tx)
                try await record(outcome, tx)
                return outcome
            }
            return { try await pending.value() }
        }
        let store = self.store
        let rehearsal = Task {
            let outcome = try await store.rehearse(prefetch: rows.prefetch) { tx in try await rows.apply(with: imports, actor: actor, in: tx) }
            try await store.write { tx in
                try await imports.beginBatch(job.id, owner: owner, from: step.from, in: tx)
                try await record(outcome, tx)
            }
            return outcome
        }
        return { try await rehearsal.value }
    }

    private func finish(_ job: ImportJob, _ status: ImportJob.Status, failure: String?) async throws -> ImportJob {
        let (imports, owner) = (self.imports, self.owner)
        if let failure { logger.warning("import failed", metadata: ["import": "\(job.id)", "reason": "\(failure)"]) }
        return try await store.write { tx in try await imports.finish(job.id, owner: owner, status: status, failure: failure, in: tx) }
    }
}
