import Logging
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// The writer's own SQLite connection: statements run on the calling thread (the writer's), and
/// each distinct statement is prepared once and kept.
///
/// A connection of SQLiteNIO sends every statement to a thread pool and every row back to an event
/// loop; for the writer, which runs a few dozen statements per group commit one after another,
/// those hand-overs were most of a commit's time. Only the store's writer uses an instance, one
/// statement at a time, so it needs no lock; callers must keep it that way.
final class SQLiteWriterConnection: SQLDatabase, @unchecked Sendable {
    let logger: Logger
    let eventLoop: any EventLoop
    let dialect: any SQLDialect = SQLiteDialect()
    let queryLogLevel: Logger.Level? = nil
    private var handle: OpaquePointer?
    private var statements = PreparedStatements(capacity: 256)
    /// Asked after each commit whether to checkpoint; kept here for as long as SQLite holds it.
    private var checkpointer: WALCheckpointer?

    /// How many prepared statements the connection keeps now.
    var keptStatementCount: Int { statements.count }

    /// The writes its write-ahead log was asked for and those that reached the file (nil before
    /// the log is open); read on the connection's thread.
    var logWriteCounts: WALAppendVFS.WriteCounts? { handle.flatMap(WALAppendVFS.counts(ofLogOf:)) }

    static func open(path: String, on eventLoop: any EventLoop, logger: Logger) throws -> SQLiteWriterConnection {
        // Its log's writes of one commit reach the file together (`WALAppendVFS`).
        let handle = try SQLiteFailure.open(path, flags: SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE, vfs: WALAppendVFS.registered())
        return SQLiteWriterConnection(handle: handle, eventLoop: eventLoop, logger: logger)
    }

    private init(handle: OpaquePointer, eventLoop: any EventLoop, logger: Logger) {
        self.handle = handle
        self.eventLoop = eventLoop
        self.logger = logger
    }

    deinit {
        assert(handle == nil, "the writer's SQLite connection was not closed")
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
    }

    /// Runs one statement to its end, handing each row to `onRow`.
    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        let (sql, binds) = (query as? RowsInsert).map { ($0.sqliteText, $0.values) } ?? serialize(query)
        let (statement, kept) = try statements.statement(for: sql, on: handle)
        defer {
            if kept {
                sqlite_nio_sqlite3_reset(statement.pointer)
                sqlite_nio_sqlite3_clear_bindings(statement.pointer)
            } else {
                sqlite_nio_sqlite3_finalize(statement.pointer)
                // What was kept was prepared against the schema this statement may have changed.
                statements.finalizeAll()
            }
        }
        for (index, value) in binds.enumerated() {
            try check(SQLiteBind.bind(value, at: Int32(index + 1), in: statement.pointer), on: handle)
        }
        var columns: SQLiteColumns?
        while true {
            let step = sqlite_nio_sqlite3_step(statement.pointer)
            if step == SQLITE_DONE { return }
            guard step == SQLITE_ROW else { throw SQLiteFailure(step, on: handle) }
            let names = columns ?? statement.currentColumns()
            columns = names
            onRow(SQLiteWriterRow(columns: names, values: SQLiteWriterRow.values(of: statement.pointer, count: names.names.count)))
        }
    }

    private func check(_ code: Int32, on handle: OpaquePointer) throws {
        guard code == SQLITE_OK else { throw SQLiteFailure(code, on: handle) }
    }

    /// Leaves checkpoints to `checkpointer` instead of SQLite's automatic one, which runs on this
    /// connection after the commit that crosses its threshold; call before the first commit.
    func checkpoint(with checkpointer: WALCheckpointer) {
        self.checkpointer = checkpointer
        _ = sqlite_nio_sqlite3_wal_hook(handle, { context, database, name, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if checkpointer.committed(logLength: Int(frames)) {
                // What SQLite's own hook does; a checkpoint already running makes it return at once.
                _ = sqlite_nio_sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    func close() {
        statements.finalizeAll()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }
}

/// An error SQLite returned to one of the store's own connections (the writer's, the checkpointer's).
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// `code`, with what SQLite says of the last failure on `handle`.
    init(_ code: Int32, on handle: OpaquePointer) {
        self.init(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// Opens a connection of its own to `path` (used on one thread at a time, so without SQLite's
    /// mutex, with extended result codes) through the VFS named `vfs` (SQLite's default when nil),
    /// or throws why not.
    static func open(_ path: String, flags: Int32, vfs: String? = nil) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, vfs)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteFailure(code: opened, message: "cannot open \(path): \(message)")
        }
        return handle
    }
}
