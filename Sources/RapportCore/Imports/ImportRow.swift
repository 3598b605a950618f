/// One row of a file set out as the body the API takes for it, remembering which column each
/// value came from so a problem with a value names the column in the error report.
public struct ImportRow: Sendable, Equatable {
    /// 1 for the first row of data (a CSV header is row 0).
    public var number: Int64
    public var body: JSONObject
    /// The column each value came from, by its path in `body` (`emails[1]`, `fields.amount`).
    public var sources: [String: String]
    /// Problems found while setting the row out (a number that is not one), named by column.
    public var issues: [ImportRowIssue]

    public init(number: Int64, body: JSONObject = JSONObject(), sources: [String: String] = [:], issues: [ImportRowIssue] = []) {
        self.number = number
        self.body = body
        self.sources = sources
        self.issues = issues
    }

    /// The column a field's problem is about: the column of the field or of the nearest part of
    /// it that came from one (`addresses[0].country` → the country column), else the field's name.
    public func column(of field: String) -> String {
        var path = Substring(field)
        while true {
            if let column = sources[String(path)] { return column }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return field
    }

    /// The issues of a failed validation, each named by its column.
    public func issues(of failure: ValidationFailure) -> [ImportRowIssue] {
        failure.issues.map { ImportRowIssue(row: number, column: column(of: $0.field), reason: "\($0.field): \($0.message)") }
    }

    /// A problem found while writing, named by the field it is about (or the row's first column).
    public func issue(field: String?, _ reason: String) -> ImportRowIssue {
        ImportRowIssue(row: number, column: field.map(column(of:)) ?? "", reason: reason)
    }
}

/// One problem of one row: the row, the column (or JSON key) and why.
public struct ImportRowIssue: Sendable, Equatable {
    public var row: Int64
    public var column: String
    public var reason: String

    public init(row: Int64, column: String, reason: String) {
        self.row = row
        self.column = column
        self.reason = reason
    }

    public var json: JSONValue {
        ["row": .integer(row), "column": .string(column), "reason": .string(reason)]
    }
}

/// How the columns of a file become a row's body, planned once for the file's header.
public protocol ImportLayout: Sendable {
    /// Whether `name` is a target a column may be mapped to.
    func isTarget(_ name: String) -> Bool
    /// A CSV record's cells set out by the mapping (the header's column names in `columns`).
    func row(_ number: Int64, cells: [String], columns: [String], mapping: ImportMapping) -> ImportRow
    /// A JSON Lines object with its keys renamed by the mapping.
    func row(_ number: Int64, object: JSONObject, mapping: ImportMapping) -> ImportRow
}

extension ImportLayout {
    /// Mapped targets that are not targets of this layout, by column.
    public func unknownTargets(in mapping: ImportMapping) -> [(column: String, target: String)] {
        mapping.targets.compactMap { column, target in
            guard let target, !isTarget(target) else { return nil }
            return (column, target)
        }.sorted { $0.column < $1.column }
    }

    /// The JSON Lines object with its keys renamed (a key mapped to nil dropped); sources are the
    /// original keys.
    func renamed(_ object: JSONObject, mapping: ImportMapping) -> (JSONObject, [String: String]) {
        var body = JSONObject()
        var sources: [String: String] = [:]
        for (key, value) in object {
            let target: String?
            if let explicit = mapping.targets[key] { target = explicit } else { target = key }
            guard let target else { continue }
            body[target] = value
            sources[target] = key
        }
        return (body, sources)
    }

    /// A cell's text as an export wrote it: trimmed, and without the `'` an export puts before a
    /// value a spreadsheet would read as a formula (`'+14155550101`, `'=x`).
    static func text(ofCell cell: String) -> String {
        let trimmed = cell.trimmingWhitespace()
        let scalars = trimmed.unicodeScalars
        guard scalars.first == "'", scalars.count > 1, ["=", "+", "-", "@", "\t", "\r"].contains(scalars[scalars.index(after: scalars.startIndex)])
        else { return trimmed }
        return String(scalars.dropFirst())
    }

    /// The parts of a list cell (`a@x.com; b@y.com`), blanks dropped.
    static func listItems(_ cell: String) -> [String] {
        cell.split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

/// A row checked: ready for the store, or refused with its issues.
public enum CheckedRow<Row: Sendable>: Sendable {
    case ready(Row)
    case refused([ImportRowIssue])

    public var ready: Row? {
        if case .ready(let row) = self { return row }
        return nil
    }
}

extension CheckedRow: Equatable where Row: Equatable {}
