import RapportCore
import NIOCore
import SQLKit

extension SQLImportStore {
    public func createJob(_ spec: ImportSpec, source: ImportJob.Source, fileBytes: Int64, fingerprint: String?, actor: Actor,
                          in tx: WriteTransaction) async throws -> ImportJob {
        let job = ImportJob(id: tx.newID("imp"), spec: spec, source: source, status: source == .upload ? .awaitingFile : .queued,
                            fileBytes: fileBytes, fingerprint: fingerprint, createdBy: actor.json.jsonString, createdAt: tx.now())
        try await tx.execute("""
            INSERT INTO import_jobs (id, target, record_type, format, mapping, dry_run, file_name, source, status, file_bytes,
                fingerprint, columns, bytes_read, rows_read, rows_created, rows_updated, rows_unchanged, rows_failed, created_by, created_at)
            VALUES (\(bind: job.id), \(bind: spec.target == .customers ? "customers" : "records"), \(bind: spec.target.recordTypeKey),
                \(bind: spec.format.rawValue), \(bind: spec.mapping.json.jsonString), \(bind: spec.dryRun ? 1 : 0), \(bind: spec.fileName),
                \(bind: source.rawValue), \(bind: job.status.rawValue), \(bind: fileBytes), \(bind: fingerprint), '[]', 0, 0, 0, 0, 0, 0,
                \(bind: job.createdBy), \(bind: job.createdAt.microseconds))
            """)
        return job
    }

    public func appendFile(to jobID: String, _ bytes: [UInt8], at offset: Int64, in tx: WriteTransaction) async throws -> Int64 {
        let job = try await lockedJob(jobID, in: tx)
        guard job.status == .awaitingFile else { throw StoreError(.conflict, "import \(jobID) already has its file (it is \(job.status.rawValue))") }
        if offset == 0, job.fileBytes > 0 {
            try await tx.execute("DELETE FROM import_file_parts WHERE job_id = \(bind: jobID)")
        } else if offset != job.fileBytes {
            throw StoreError(.conflict, "import \(jobID) has \(job.fileBytes) bytes of its file, not \(offset)")
        }
        let end = offset + Int64(bytes.count)
        if !bytes.isEmpty {
            try await tx.execute("""
                INSERT INTO import_file_parts (job_id, start_offset, end_offset, bytes)
                VALUES (\(bind: jobID), \(bind: offset), \(bind: end), \(bind: ByteBuffer(bytes: bytes)))
                """)
        }
        try await tx.execute("UPDATE import_jobs SET file_bytes = \(bind: end) WHERE id = \(bind: jobID)")
        return end
    }

    public func fileUploaded(_ jobID: String, in tx: WriteTransaction) async throws -> ImportJob {
        var job = try await lockedJob(jobID, in: tx)
        guard job.status == .awaitingFile else { throw StoreError(.conflict, "import \(jobID) already has its file (it is \(job.status.rawValue))") }
        job.status = .queued
        try await tx.execute("UPDATE import_jobs SET status = 'queued' WHERE id = \(bind: jobID)")
        return job
    }

    public func job(_ id: String) async throws -> ImportJob? {
        try await read { try await ImportRows.find(id, on: $0) }
    }

    public func jobs(limit: Int, cursor: String?) async throws -> Page<ImportJob> {
        var sql: SQLQueryString = "SELECT * FROM import_jobs"
        if let cursor { sql = sql + " WHERE id < \(bind: try ListCursor.decode(cursor))" }
        let query = sql + " ORDER BY id DESC LIMIT \(literal: limit + 1)"
        let rows = try await read { try await $0.raw(query).all() }
        let items = try rows.prefix(limit).map(ImportRows.decode)
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    public func issues(of jobID: String, limit: Int, cursor: String?) async throws -> Page<ImportRowIssue> {
        var sql: SQLQueryString = "SELECT row_number, position, column_name, reason FROM import_issues WHERE job_id = \(bind: jobID)"
        if let cursor {
            let parts = try ListCursor.decode(cursor).split(separator: ":")
            guard parts.count == 2, let row = Int64(parts[0]), let position = Int64(parts[1]) else {
                throw StoreError(.invalidReference, "cursor is not one this server issued", field: "cursor")
            }
            sql = sql + " AND (row_number > \(bind: row) OR (row_number = \(bind: row) AND position > \(bind: position)))"
        }
        let query = sql + " ORDER BY row_number, position LIMIT \(literal: limit + 1)"
        let rows = try await read { try await $0.raw(query).all() }
        var items: [ImportRowIssue] = []
        var last = ""
        for row in rows.prefix(limit) {
            items.append(ImportRowIssue(row: try row.int64("row_number"), column: try row.string("column_name"), reason: try row.string("reason")))
            last = "\(try row.int64("row_number")):\(try row.int64("position"))"
        }
        return Page(items: items, nextCursor: rows.count > limit ? ListCursor.encode(last) : nil)
    }

    public func cancel(_ id: String, in tx: WriteTransaction) async throws -> ImportJob {
        var job = try await lockedJob(id, in: tx)
        guard !job.status.isFinished else { throw StoreError(.conflict, "import \(id) has already ended (\(job.status.rawValue))") }
        let now = tx.now()
        job.status = .cancelled
        job.finishedAt = now
        try await tx.execute("""
            UPDATE import_jobs SET status = 'cancelled', finished_at = \(bind: now.microseconds), lease_owner = NULL WHERE id = \(bind: id)
            """)
        try await tx.execute("DELETE FROM import_file_parts WHERE job_id = \(bind: id)")
        return job
    }

    public func unfinishedLocalJob(fingerprint: String, target: ImportTarget) async throws -> ImportJob? {
        let rows = try await read { database in
            try await database.raw("""
                SELECT * FROM import_jobs WHERE source = 'local' AND fingerprint = \(bind: fingerprint) AND status IN ('queued', 'running')
                ORDER BY id DESC
                """).all()
        }
        return try rows.map(ImportRows.decode).first { $0.spec.target == target }
    }

    public func claimUpload(owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> ImportJob? {
        let now = tx.now()
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let row = try await tx.firstRow("""
            SELECT * FROM import_jobs WHERE source = 'upload'
                AND (status = 'queued' OR (status = 'running' AND lease_until < \(bind: now.microseconds)))
            ORDER BY created_at, id LIMIT 1
            """ + skipLocked)
        guard let row else { return nil }
        return try await lease(try ImportRows.decode(row), owner: owner, until: until, in: tx)
    }

    public func claimLocal(_ id: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> ImportJob {
        let job = try await lockedJob(id, in: tx)
        guard job.source == .local, !job.status.isFinished else {
            throw StoreError(.conflict, "import \(id) is not a local import waiting to run (it is \(job.status.rawValue))")
        }
        return try await lease(job, owner: owner, until: until, in: tx)
    }

    private func lease(_ job: ImportJob, owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> ImportJob {
        var job = job
        let now = tx.now()
        job.status = .running
        job.startedAt = job.startedAt ?? now
        try await tx.execute("""
            UPDATE import_jobs SET status = 'running', lease_owner = \(bind: owner), lease_until = \(bind: until.microseconds),
                started_at = \(bind: job.startedAt!.microseconds) WHERE id = \(bind: job.id)
            """)
        return job
    }

    public func fileBytes(of jobID: String, from offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        try await read { database in
            // One part at a time (a mebibyte each, the last smaller), until enough is read.
            var result: [UInt8] = []
            var next = offset
            while result.count < maxBytes {
                guard let row = try await database.raw("""
                    SELECT start_offset, end_offset, bytes FROM import_file_parts WHERE job_id = \(bind: jobID) AND end_offset > \(bind: next)
                    ORDER BY start_offset LIMIT 1
                    """).first() else { break }
                let start = try row.int64("start_offset")
                let part = try row.decode(column: "bytes", as: ByteBuffer.self).readableBytesView
                result.append(contentsOf: part.dropFirst(Int(max(0, next - start))))
                next = try row.int64("end_offset")
            }
            return result
        }
    }

    public func beginBatch(_ jobID: String, owner: String, from: Int64, in tx: WriteTransaction) async throws {
        let job = try await ownedJob(jobID, owner: owner, in: tx)
        guard job.progress.bytesRead == from else { throw ImportBatchOutOfTurn(from: from, storedTo: job.progress.bytesRead) }
    }

    public func recordProgress(_ jobID: String, step: ImportProgressStep, columns: [String], leaseUntil: Timestamp,
                               in tx: WriteTransaction) async throws {
        let delta = step.delta
        let issues = step.outcome.issues
        try await tx.execute("""
            UPDATE import_jobs SET bytes_read = \(bind: step.bytesRead), rows_read = rows_read + \(bind: delta.rowsRead),
                rows_created = rows_created + \(bind: delta.created), rows_updated = rows_updated + \(bind: delta.updated),
                rows_unchanged = rows_unchanged + \(bind: delta.unchanged), rows_failed = rows_failed + \(bind: delta.failed),
                columns = \(bind: columns.jsonText), lease_until = \(bind: leaseUntil.microseconds)
            WHERE id = \(bind: jobID) AND bytes_read = \(bind: step.from)
            """)
        var position: [Int64: Int64] = [:]
        var values: [SQLQueryString] = []
        for issue in issues {
            let index = position[issue.row, default: 0]
            position[issue.row] = index + 1
            values.append("(\(bind: jobID), \(bind: issue.row), \(bind: index), \(bind: String(issue.column.prefix(200))), \(bind: String(issue.reason.prefix(1_000))))")
        }
        for chunk in stride(from: 0, to: values.count, by: 200) {
            try await tx.execute("INSERT INTO import_issues (job_id, row_number, position, column_name, reason) VALUES "
                                 + values[chunk..<min(chunk + 200, values.count)].joined(separator: ", "))
        }
    }

    public func finish(_ jobID: String, owner: String, status: ImportJob.Status, failure: String?,
                       in tx: WriteTransaction) async throws -> ImportJob {
        try await ownedJob(jobID, owner: owner, in: tx)
        let now = tx.now()
        try await tx.execute("""
            UPDATE import_jobs SET status = \(bind: status.rawValue), failure = \(bind: failure), finished_at = \(bind: now.microseconds),
                lease_owner = NULL WHERE id = \(bind: jobID)
            """)
        try await tx.execute("DELETE FROM import_file_parts WHERE job_id = \(bind: jobID)")
        guard let job = try await ImportRows.find(jobID, on: tx.database) else { throw StoreError.notFound("import", jobID) }
        return job
    }

    func lockedJob(_ id: String, in tx: WriteTransaction) async throws -> ImportJob {
        guard let job = try await ImportRows.find(id, on: tx.database, forUpdate: true) else { throw StoreError.notFound("import", id) }
        return job
    }

    /// The job, when it is running and leased to `owner`.
    @discardableResult
    func ownedJob(_ id: String, owner: String, in tx: WriteTransaction) async throws -> ImportJob {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("SELECT status, lease_owner FROM import_jobs WHERE id = \(bind: id)" + lock) else {
            throw StoreError.notFound("import", id)
        }
        let status = try row.string("status")
        guard status == "running", try row.optionalString("lease_owner") == owner else {
            throw StoreError(.conflict, status == "cancelled" ? "import \(id) was cancelled" : "import \(id) is no longer run here (it is \(status))")
        }
        return try await lockedJob(id, in: tx)
    }
}
