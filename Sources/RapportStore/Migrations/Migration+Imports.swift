extension Migrations {
    /// Imports: each job with its progress (stored with every batch of rows, so an interrupted
    /// import goes on where it stopped), the file uploaded for it in pieces, and the error report.
    static let imports = Migration(version: 27, name: "imports", statements: { flavor in
        let blob = flavor == .sqlite ? "BLOB" : "BYTEA"
        return [
            """
            CREATE TABLE import_jobs (id TEXT PRIMARY KEY, target TEXT NOT NULL, record_type TEXT, format TEXT NOT NULL,
                mapping TEXT NOT NULL, dry_run BIGINT NOT NULL, file_name TEXT, source TEXT NOT NULL, status TEXT NOT NULL,
                file_bytes BIGINT NOT NULL, fingerprint TEXT, columns TEXT NOT NULL, bytes_read BIGINT NOT NULL,
                rows_read BIGINT NOT NULL, rows_created BIGINT NOT NULL, rows_updated BIGINT NOT NULL,
                rows_unchanged BIGINT NOT NULL, rows_failed BIGINT NOT NULL, failure TEXT, created_by TEXT,
                lease_owner TEXT, lease_until BIGINT, created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT)
            """,
            "CREATE INDEX import_jobs_status ON import_jobs (status, created_at)",
            """
            CREATE TABLE import_file_parts (job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
                start_offset BIGINT NOT NULL, end_offset BIGINT NOT NULL, bytes \(blob) NOT NULL, PRIMARY KEY (job_id, start_offset))
            """,
            """
            CREATE TABLE import_issues (job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE, row_number BIGINT NOT NULL,
                position BIGINT NOT NULL, column_name TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (job_id, row_number, position))
            """,
        ]
    })
}
