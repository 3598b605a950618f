import RapportCore
import SQLKit

/// A `ListCondition` (a CEL list filter, translated in Core) written as SQL for the store's
/// flavor: JSON members read with `json_extract` on SQLite and `jsonb_extract_path(_text)` on
/// PostgreSQL, numbers compared as numbers, every value bound.
struct SQLListCondition {
    let flavor: SQLFlavor
    /// How the query names the customers table a `hasRecord` condition is correlated with.
    var outer: String = "customers"

    init(flavor: SQLFlavor, outer: String = "customers") {
        self.flavor = flavor
        self.outer = outer
    }

    func sql(_ condition: ListCondition) -> SQLQueryString {
        switch condition {
        case .constant(let value):
            return value ? "1 = 1" : "1 = 0"
        case .all(let parts):
            return parts.isEmpty ? "1 = 1" : "(" + joined(parts.map(sql), " AND ") + ")"
        case .any(let parts):
            return parts.isEmpty ? "1 = 0" : "(" + joined(parts.map(sql), " OR ") + ")"
        case .not(let inner):
            return "NOT (\(sql(inner)))"
        case .compare(let path, let comparison, let operand):
            return "\(value(of: path)) \(unsafeRaw: comparison.sqlOperator) \(bound(operand, for: path))"
        case .oneOf(let path, let values):
            return "\(value(of: path)) IN (" + joined(values.map { bound($0, for: path) }, ", ") + ")"
        case .present(let path):
            return path.members.isEmpty ? "\(ident: path.column) IS NOT NULL" : "\(member(path, asText: false)) IS NOT NULL"
        case .text(let path, let match, let text):
            let length = text.unicodeScalars.count
            let subject = value(of: path)
            switch (match, flavor) {
            case (.startsWith, .sqlite): return "substr(\(subject), 1, \(bind: length)) = \(bind: text)"
            case (.startsWith, .postgres): return "left(\(subject), CAST(\(bind: length) AS integer)) = \(bind: text)"
            case (.endsWith, .sqlite): return "(length(\(subject)) >= \(bind: length) AND substr(\(subject), -\(bind: length)) = \(bind: text))"
            case (.endsWith, .postgres): return "right(\(subject), CAST(\(bind: length) AS integer)) = \(bind: text)"
            case (.contains, .sqlite): return "instr(\(subject), \(bind: text)) > 0"
            case (.contains, .postgres): return "strpos(\(subject), \(bind: text)) > 0"
            }
        case .hasRecord(let typeKey, let inner):
            // The inner condition's columns name the records (the innermost table); the customer is
            // the outer row, or a customer merged into it (records keep the id they were made with).
            let customer: SQLQueryString = "\(unsafeRaw: outer).id"
            return """
                EXISTS (SELECT 1 FROM records WHERE records.type_key = \(bind: typeKey) AND records.deleted_at IS NULL
                AND (records.customer_id = \(customer) OR records.customer_id IN (SELECT merged.id FROM customers merged WHERE merged.merged_into = \(customer)))
                AND \(SQLListCondition(flavor: flavor).sql(inner)))
                """
        case .listContains(let path, let text):
            switch flavor {
            case .sqlite:
                return "EXISTS (SELECT 1 FROM json_each(\(ident: path.column), \(bind: jsonPath(path))) WHERE json_each.value = \(bind: text))"
            case .postgres:
                return "\(member(path, asText: false)) @> jsonb_build_array(CAST(\(bind: text) AS text))"
            }
        }
    }

    /// The path's value as SQL compares it: text, a number, 1/0 (SQLite) or 'true'/'false'
    /// (PostgreSQL) for booleans, the column itself for columns.
    func value(of path: FilterablePath) -> SQLQueryString {
        guard !path.members.isEmpty else { return "\(ident: path.column)" }
        switch (path.kind, flavor) {
        case (.number, .sqlite): return "CAST(\(member(path, asText: true)) AS REAL)"
        case (.number, .postgres): return "CAST(\(member(path, asText: true)) AS double precision)"
        default: return member(path, asText: true)
        }
    }

    /// A value bound in the form `value(of:)` compares with.
    func bound(_ value: JSONValue, for path: FilterablePath) -> SQLQueryString {
        switch value {
        case .bool(let flag):
            guard !path.members.isEmpty else { return "\(bind: flag)" }
            return flavor == .sqlite ? "\(bind: flag ? 1 : 0)" : "\(bind: flag ? "true" : "false")"
        case .integer(let number):
            return path.kind == .number ? "\(bind: Double(number))" : "\(bind: number)"
        case .double(let number):
            return "\(bind: number)"
        case .string(let text):
            return "\(bind: text)"
        default:
            return "NULL"
        }
    }

    private func member(_ path: FilterablePath, asText: Bool) -> SQLQueryString {
        switch flavor {
        case .sqlite:
            return "json_extract(\(ident: path.column), \(bind: jsonPath(path)))"
        case .postgres:
            let keys = joined(path.members.map { "\(bind: $0)" }, ", ")
            return asText ? "jsonb_extract_path_text(CAST(\(ident: path.column) AS jsonb), \(keys))"
                : "jsonb_extract_path(CAST(\(ident: path.column) AS jsonb), \(keys))"
        }
    }

    /// `$.a.b` — member keys are record-type keys (lower-case letters, digits, `_`), never quoted.
    private func jsonPath(_ path: FilterablePath) -> String {
        "$." + path.members.joined(separator: ".")
    }

    private func joined(_ parts: [SQLQueryString], _ separator: String) -> SQLQueryString {
        var result: SQLQueryString = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { result += "\(unsafeRaw: separator)" }
            result += part
        }
        return result
    }
}

extension FilterComparison {
    var sqlOperator: String {
        switch self {
        case .equal: "="
        case .notEqual: "<>"
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        }
    }
}
