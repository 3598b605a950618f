import SQLiteKit
import VaporCSQLite

/// A statement the writer prepared once, with the names of its result columns.
final class PreparedStatement {
    let pointer: OpaquePointer
    private(set) var columns: SQLiteColumns

    init(pointer: OpaquePointer) {
        self.pointer = pointer
        self.columns = SQLiteColumns(of: pointer)
    }

    /// The result columns; read again if the statement was prepared anew for a changed schema.
    func currentColumns() -> SQLiteColumns {
        if columns.names.count != Int(sqlite_nio_sqlite3_column_count(pointer)) {
            columns = SQLiteColumns(of: pointer)
        }
        return columns
    }
}

/// The names of a statement's result columns and where each is.
final class SQLiteColumns: @unchecked Sendable {
    // Never changed after init; rows of many threads may read it.
    let names: [String]
    let index: [String: Int]

    init(of statement: OpaquePointer) {
        let count = Int(sqlite_nio_sqlite3_column_count(statement))
        var names: [String] = []
        names.reserveCapacity(count)
        for offset in 0..<count {
            names.append(sqlite_nio_sqlite3_column_name(statement, Int32(offset)).map { String(cString: $0) } ?? "")
        }
        self.names = names
        self.index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The writer's prepared statements by their text, the least recently used dropped beyond `capacity`.
///
/// A statement that changes the schema is never kept, and drops every kept statement after it runs.
struct PreparedStatements {
    private let capacity: Int
    private var byText: [String: (statement: PreparedStatement, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { byText.count }

    mutating func statement(for sql: String, on handle: OpaquePointer) throws -> (statement: PreparedStatement, kept: Bool) {
        clock &+= 1
        if let known = byText[sql] {
            byText[sql] = (known.statement, clock)
            return (known.statement, true)
        }
        var pointer: OpaquePointer?
        let keep = !Self.changesSchema(sql)
        let prepared = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &pointer, nil)
        guard prepared == SQLITE_OK, let pointer else {
            sqlite_nio_sqlite3_finalize(pointer)
            throw SQLiteFailure(prepared, on: handle)
        }
        let statement = PreparedStatement(pointer: pointer)
        guard keep else { return (statement, false) }
        if byText.count >= capacity, let oldest = byText.min(by: { $0.value.used < $1.value.used }) {
            sqlite_nio_sqlite3_finalize(oldest.value.statement.pointer)
            byText[oldest.key] = nil
        }
        byText[sql] = (statement, clock)
        return (statement, true)
    }

    mutating func finalizeAll() {
        for (_, entry) in byText { sqlite_nio_sqlite3_finalize(entry.statement.pointer) }
        byText.removeAll()
    }

    /// Whether `sql` is DDL, after which kept statements may describe a schema that is gone.
    static func changesSchema(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        return head.hasPrefix("CREATE") || head.hasPrefix("ALTER") || head.hasPrefix("DROP")
    }
}
