import SQLKit

/// `INSERT INTO table (columns) VALUES (…), (…) [suffix]` for many rows of bound values.
///
/// On any database it serializes as SQLKit would; the writer's own SQLite connection takes its
/// text and values directly (`sqliteText`, `values`), without SQLKit's serializer, which cost the
/// writer as much as SQLite's own inserts for a batch of a hundred rows.
struct RowsInsert: SQLExpression {
    let table: String
    let columns: [String]
    /// Appended after the rows, e.g. an `ON CONFLICT` clause.
    let suffix: String
    /// The rows' values, row after row.
    private(set) var values: [any Encodable & Sendable] = []

    init(into table: String, columns: [String], suffix: String = "", reservingRows rows: Int = 0) {
        self.table = table
        self.columns = columns
        self.suffix = suffix
        values.reserveCapacity(rows * columns.count)
    }

    var rowCount: Int { values.count / columns.count }
    var isEmpty: Bool { values.isEmpty }

    /// Adds a row: one value a column, in the columns' order.
    mutating func append(_ row: any Encodable & Sendable...) {
        precondition(row.count == columns.count, "\(table): \(row.count) values for \(columns.count) columns")
        values.append(contentsOf: row)
    }

    private var head: String { "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(head)
        for row in 0..<rowCount {
            serializer.write(row == 0 ? "(" : ", (")
            for column in columns.indices {
                if column > 0 { serializer.write(", ") }
                serializer.write(bind: values[row * columns.count + column])
            }
            serializer.write(")")
        }
        if !suffix.isEmpty { serializer.write(" " + suffix) }
    }

    /// The statement with SQLite's positional placeholders, the values bound in order.
    var sqliteText: String {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var text = head
        text.reserveCapacity(text.utf8.count + rowCount * (placeholders.utf8.count + 2) + suffix.utf8.count + 1)
        for row in 0..<rowCount {
            if row > 0 { text += ", " }
            text += placeholders
        }
        if !suffix.isEmpty { text += " " + suffix }
        return text
    }

    /// Runs the statement; on the writer's SQLite connection, as statements of a few fixed row
    /// counts (`StatementShape.chunkLengths`) that it keeps prepared.
    func run(on database: any SQLDatabase) async throws {
        guard !isEmpty else { return }
        guard database is SQLiteWriterConnection, StatementShape.paddedLength(rowCount) != rowCount else {
            try await database.execute(sql: self) { _ in }
            return
        }
        var start = 0
        for length in StatementShape.chunkLengths(rowCount) {
            var part = RowsInsert(into: table, columns: columns, suffix: suffix)
            part.values = Array(values[start * columns.count..<(start + length) * columns.count])
            try await database.execute(sql: part) { _ in }
            start += length
        }
    }
}
