import RapportCore
import SQLKit

/// Reads import jobs from rows.
enum ImportRows {
    static func decode(_ row: any SQLRow) throws -> ImportJob {
        let target: ImportTarget = try row.string("target") == "records" ? .records(try row.optionalString("record_type") ?? "") : .customers
        let spec = ImportSpec(target: target, format: try storedEnum(try row.string("format")),
                              mapping: ImportMapping(stored: (try? JSONParser.parse(try row.string("mapping"))) ?? .null),
                              dryRun: try row.int64("dry_run") != 0, fileName: try row.optionalString("file_name"))
        let progress = ImportProgress(bytesRead: try row.int64("bytes_read"), rowsRead: try row.int64("rows_read"),
                                      created: try row.int64("rows_created"), updated: try row.int64("rows_updated"),
                                      unchanged: try row.int64("rows_unchanged"), failed: try row.int64("rows_failed"))
        return ImportJob(id: try row.string("id"), spec: spec, source: try storedEnum(try row.string("source")),
                         status: try storedEnum(try row.string("status")), fileBytes: try row.int64("file_bytes"),
                         fingerprint: try row.optionalString("fingerprint"), columns: try row.stringList("columns"), progress: progress,
                         failure: try row.optionalString("failure"), createdBy: try row.optionalString("created_by"),
                         createdAt: try row.timestamp("created_at"), startedAt: try row.optionalTimestamp("started_at"),
                         finishedAt: try row.optionalTimestamp("finished_at"))
    }

    static func find(_ id: String, on database: any SQLDatabase, forUpdate: Bool = false) async throws -> ImportJob? {
        let lock: SQLQueryString = forUpdate && database.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        return try await database.raw("SELECT * FROM import_jobs WHERE id = \(bind: id)" + lock).first().map(decode)
    }
}

extension ImportJob {
    /// The actor the job's rows are written as: whoever created it.
    public var actor: Actor {
        guard let createdBy, let value = try? JSONParser.parse(createdBy) else { return .system }
        return Actor(json: value) ?? .system
    }
}
