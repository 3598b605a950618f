import RapportCore

/// Imports: jobs with their progress and error report, the files uploaded for them, and the rows
/// of a batch applied in the writer's transaction together with the progress they make — so an
/// interrupted import goes on from the first row not committed, and no row is imported twice.
public protocol ImportStore: Sendable {
    /// A new job: an upload awaits its file; a local file is read by the `rapport import` that made it.
    func createJob(_ spec: ImportSpec, source: ImportJob.Source, fileBytes: Int64, fingerprint: String?, actor: Actor,
                   in tx: WriteTransaction) async throws -> ImportJob

    /// Adds the piece of an upload that starts at `offset` (0 starts the file again: a repeated
    /// upload); 409 once the job has its file. Returns the bytes stored so far.
    func appendFile(to jobID: String, _ bytes: [UInt8], at offset: Int64, in tx: WriteTransaction) async throws -> Int64

    /// The upload is whole: the job is queued for a runner.
    func fileUploaded(_ jobID: String, in tx: WriteTransaction) async throws -> ImportJob

    func job(_ id: String) async throws -> ImportJob?

    /// Newest first.
    func jobs(limit: Int, cursor: String?) async throws -> Page<ImportJob>

    /// The error report in row order.
    func issues(of jobID: String, limit: Int, cursor: String?) async throws -> Page<ImportRowIssue>

    /// Stops a job that has not finished; its committed rows stay imported.
    func cancel(_ id: String, in tx: WriteTransaction) async throws -> ImportJob

    /// A job this local file started that did not finish (to go on with it).
    func unfinishedLocalJob(fingerprint: String, target: ImportTarget) async throws -> ImportJob?

    /// Takes the oldest queued upload, or one whose runner stopped renewing its lease.
    func claimUpload(owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> ImportJob?

    /// Takes a local job for the command that runs it.
    func claimLocal(_ id: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> ImportJob

    /// Up to `maxBytes` of an upload from `offset` (fewer at its end).
    func fileBytes(of jobID: String, from offset: Int64, maxBytes: Int) async throws -> [UInt8]

    /// Customer rows: each finds its customer by its identities (updated: what the row says joins
    /// what the customer has) or becomes a new customer — `prepared[i]`, when given, is row i's
    /// (`CustomerStore.prepare`).
    func importCustomers(_ rows: [CheckedRow<CustomerImportRow>], prepared: [PreparedCustomer?], actor: Actor,
                         in tx: WriteTransaction) async throws -> ImportBatchOutcome

    /// Record rows: created, or changed when they name an existing record's `id`.
    func importRecords(_ rows: [CheckedRow<RecordImportRow>], type: RecordType, context: FieldValueContext,
                       actor: Actor, in tx: WriteTransaction) async throws -> ImportBatchOutcome

    /// Begins the batch that starts at byte `from` of the job's file, in the transaction that will
    /// store it: 409 when the job is no longer this runner's (cancelled, or taken over after its
    /// lease ran out); `ImportBatchOutOfTurn` when the batch before it is not stored yet.
    func beginBatch(_ jobID: String, owner: String, from: Int64, in tx: WriteTransaction) async throws

    /// Adds a batch begun with `beginBatch` to the job's progress, with its row issues, and renews
    /// the runner's lease.
    func recordProgress(_ jobID: String, step: ImportProgressStep, columns: [String], leaseUntil: Timestamp,
                        in tx: WriteTransaction) async throws

    /// Ends a job (completed or failed) and drops its uploaded file.
    func finish(_ jobID: String, owner: String, status: ImportJob.Status, failure: String?, in tx: WriteTransaction) async throws -> ImportJob
}

/// A row that failed after it had written part of itself: the batch is rolled back and run again
/// without it.
public struct ImportRowFailure: Error, Sendable {
    public var issue: ImportRowIssue
}

/// A batch sent to the writer before the one ahead of it was stored (that one failed a row and
/// was sent again): nothing of it was written; it is sent again after that one.
public struct ImportBatchOutOfTurn: Error, Sendable {
    public var from: Int64
    public var storedTo: Int64
}

/// The SQL implementation of `ImportStore`, on SQLite or PostgreSQL.
public struct SQLImportStore: ImportStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
