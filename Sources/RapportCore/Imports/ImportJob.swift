/// An import and how far it has come.
///
/// `awaiting_file` → (file uploaded) `queued` → `running` → `completed` (rows that failed are in
/// the error report), `failed` (the file could not be read at all) or `cancelled`. Progress is
/// stored with each batch of rows in the batch's own transaction, so an interrupted import goes on
/// from the row after the last one committed.
public struct ImportJob: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case awaitingFile = "awaiting_file"
        case queued
        case running
        case completed
        case failed
        case cancelled

        public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// Where the file's bytes are: uploaded into the database (any node may run it) or a file on the
    /// machine of the `rapport import` command that runs it.
    public enum Source: String, Sendable {
        case upload
        case local
    }

    public var id: String
    public var spec: ImportSpec
    public var source: Source
    public var status: Status
    public var fileBytes: Int64
    /// Recognizes the same local file when an interrupted `rapport import` is run again.
    public var fingerprint: String?
    /// The CSV header, once read.
    public var columns: [String]
    public var progress: ImportProgress
    public var failure: String?
    public var createdBy: String?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?

    public init(id: String, spec: ImportSpec, source: Source, status: Status, fileBytes: Int64 = 0, fingerprint: String? = nil,
                columns: [String] = [], progress: ImportProgress = ImportProgress(), failure: String? = nil, createdBy: String? = nil,
                createdAt: Timestamp, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil) {
        self.id = id
        self.spec = spec
        self.source = source
        self.status = status
        self.fileBytes = fileBytes
        self.fingerprint = fingerprint
        self.columns = columns
        self.progress = progress
        self.failure = failure
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Columns of the header that go nowhere (not mapped and not named like a target).
    public func ignoredColumns(layout: some ImportLayout) -> [String] {
        columns.filter { spec.mapping.target(of: $0, isTarget: layout.isTarget) == nil }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        switch spec.target {
        case .customers:
            object["target"] = "customers"
            object["record_type"] = .null
        case .records(let key):
            object["target"] = "records"
            object["record_type"] = .string(key)
        }
        object["format"] = .string(spec.format.rawValue)
        object["mapping"] = spec.mapping.json
        object["dry_run"] = .bool(spec.dryRun)
        object["file_name"] = spec.fileName.map(JSONValue.string) ?? .null
        object["source"] = .string(source.rawValue)
        object["status"] = .string(status.rawValue)
        object["file_bytes"] = .integer(fileBytes)
        object["bytes_read"] = .integer(progress.bytesRead)
        object["percent"] = fileBytes > 0 ? .integer(min(100, progress.bytesRead * 100 / fileBytes)) : (status == .completed ? 100 : 0)
        object["columns"] = .array(columns.map(JSONValue.string))
        object["rows_read"] = .integer(progress.rowsRead)
        object["rows_created"] = .integer(progress.created)
        object["rows_updated"] = .integer(progress.updated)
        object["rows_unchanged"] = .integer(progress.unchanged)
        object["rows_failed"] = .integer(progress.failed)
        object["failure"] = failure.map(JSONValue.string) ?? .null
        object["created_by"] = createdBy.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["started_at"] = startedAt.map { .string($0.rfc3339) } ?? .null
        object["finished_at"] = finishedAt.map { .string($0.rfc3339) } ?? .null
        return .object(object)
    }
}

/// How far an import has come: where in the file the next row starts and what became of the rows
/// before it. In a dry run, `created` and `updated` count what an import would do.
public struct ImportProgress: Sendable, Equatable {
    public var bytesRead: Int64
    public var rowsRead: Int64
    public var created: Int64
    public var updated: Int64
    public var unchanged: Int64
    public var failed: Int64

    public init(bytesRead: Int64 = 0, rowsRead: Int64 = 0, created: Int64 = 0, updated: Int64 = 0, unchanged: Int64 = 0, failed: Int64 = 0) {
        self.bytesRead = bytesRead
        self.rowsRead = rowsRead
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
        self.failed = failed
    }

    public mutating func add(_ outcome: ImportBatchOutcome) {
        created += outcome.created
        updated += outcome.updated
        unchanged += outcome.unchanged
        failed += Int64(Set(outcome.issues.map(\.row)).count)
    }

    /// The progress after `step`, the batch that starts where this progress ends.
    public mutating func advance(by step: ImportProgressStep) {
        bytesRead = step.bytesRead
        rowsRead += step.rows
        add(step.outcome)
    }
}

/// What one batch adds to its job's progress: its rows and what became of them, and where in the
/// file the row after it starts. Batches are stored in file order, each after the one that ends
/// where it starts (`from`), so several can be in flight to the writer at once.
public struct ImportProgressStep: Sendable, Equatable {
    /// Where the batch starts in the file: where the progress before it ends.
    public var from: Int64
    /// Where the row after the batch starts.
    public var bytesRead: Int64
    public var rows: Int64
    public var outcome: ImportBatchOutcome

    public init(from: Int64, bytesRead: Int64, rows: Int64, outcome: ImportBatchOutcome = ImportBatchOutcome()) {
        self.from = from
        self.bytesRead = bytesRead
        self.rows = rows
        self.outcome = outcome
    }

    /// What the step adds to the progress's counts (`bytesRead` is where the file is read to).
    public var delta: ImportProgress {
        var delta = ImportProgress(bytesRead: bytesRead, rowsRead: rows)
        delta.add(outcome)
        return delta
    }
}

/// What one batch of rows did.
public struct ImportBatchOutcome: Sendable, Equatable {
    public var created: Int64 = 0
    public var updated: Int64 = 0
    public var unchanged: Int64 = 0
    public var issues: [ImportRowIssue] = []

    public init() {}
}
