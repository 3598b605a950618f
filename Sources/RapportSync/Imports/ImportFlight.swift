import RapportCore
import RapportStore

/// The batches of an import sent to the writer and not yet stored, in file order. Each is stored
/// in a transaction that first makes sure the batch before it is (`ImportStore.beginBatch`), so a
/// batch can be sent while the one before it is still being written or synced.
struct ImportFlight {
    struct Sent: Sendable {
        var rows: PlannedRows
        /// Its outcome is filled in once stored.
        var step: ImportProgressStep
        let columns: [String]
        fileprivate var outcome: (@Sendable () async throws -> ImportBatchOutcome)?

        init(rows: PlannedRows, step: ImportProgressStep, columns: [String]) {
            self.rows = rows
            self.step = step
            self.columns = columns
        }
    }

    let job: ImportJob
    /// How many batches may be in flight at once.
    let sendAhead: Int
    private var sent: [Sent] = []

    init(job: ImportJob, sendAhead: Int) {
        self.job = job
        self.sendAhead = max(1, sendAhead)
    }

    var hasRoom: Bool { sent.count < sendAhead }

    /// Sends a batch behind those in flight.
    mutating func send(_ batch: Sent, with runner: ImportRunner) {
        var batch = batch
        batch.outcome = runner.send(batch.rows, step: batch.step, columns: batch.columns, job: job)
        sent.append(batch)
    }

    /// Waits until every batch in flight is stored or refused, and forgets them.
    mutating func settle() async {
        for batch in sent { _ = try? await batch.outcome?() }
        sent = []
    }

    /// The oldest batch in flight once it is stored, with its outcome; nil when none is in flight.
    /// A row that fails after writing part of itself is left out and its batch sent again; the
    /// batches behind it, which the writer refuses as out of turn meanwhile, are sent again after it.
    mutating func nextStored(with runner: ImportRunner) async throws -> Sent? {
        guard !sent.isEmpty else { return nil }
        while true {
            do {
                let outcome = try await sent[0].outcome!()
                var stored = sent.removeFirst()
                stored.step.outcome = outcome
                return stored
            } catch let failure as ImportRowFailure {
                sent[0].rows.exclude(failure.issue)
                let again = sent
                sent = []
                for batch in again { send(batch, with: runner) }
            } catch {
                sent.removeFirst()
                throw error
            }
        }
    }
}
