/// CSV lines as exports write them (RFC 4180) — safe to open in a spreadsheet.
public enum CSVLine {
    /// A CSV line: cells quoted when they hold a comma, quote or line break (quotes doubled); a
    /// cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
    /// is written with a leading `'`, so opening the file runs nothing. Lines end with CRLF.
    public static func make(_ cells: [String]) -> String {
        cells.map { cell in
            var value = cell
            if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first),
               !(first == "-" && Double(value) != nil) {
                value = "'" + value
            }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }

    /// A value as a cell's text: lists joined by `;` (as an import splits them), objects as JSON.
    public static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .array(let items): items.map(text).joined(separator: ";")
        case .object: value.jsonString
        }
    }
}

/// The formats of an export.
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    public var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8" }
    public var fileExtension: String { rawValue }
}
