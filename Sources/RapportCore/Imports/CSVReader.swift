/// Reads RFC 4180 CSV a piece at a time: bytes go in as they arrive (a file read in blocks, an
/// upload in chunks), whole records come out, each with the byte offset just past it — where an
/// interrupted import starts again.
///
/// Fields may be quoted (`"a, ""b"""`) and hold separators and line breaks; lines end with CRLF or
/// LF; a UTF-8 byte order mark at the start of the file is skipped; blank lines are skipped.
/// It is lenient where spreadsheets are sloppy (a quote inside an unquoted field is kept as text)
/// and strict where data would be lost: a record that is not UTF-8, whose quote never closes or
/// with text after a closing quote comes out as a `.malformed` line instead of being guessed at.
public struct CSVReader: Sendable {
    /// A quoted field that is never closed, or text after a closing quote.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line where the faulty record starts.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "CSV line \(line): \(message)" }
    }

    /// Every record of `text` as its fields, the header row included (labelled history for the
    /// classifier, read whole).
    public static func records(_ text: String) throws(SyntaxError) -> [[String]] {
        var reader = CSVReader()
        reader.append(text.utf8)
        var records: [[String]] = []
        while let line = reader.next(atEnd: true) {
            switch line {
            case .record(let fields): records.append(fields)
            case .malformed(let reason):
                let lineNumber = 1 + text.utf8.prefix(Int(reader.lineStart)).count { $0 == UInt8(ascii: "\n") }
                throw SyntaxError(line: lineNumber, message: reason)
            }
        }
        return records
    }

    public enum Line: Sendable, Equatable {
        case record([String])
        case malformed(String)
    }

    public let separator: UInt8
    private var window: FileWindow
    /// The offset in the whole file of the first byte not yet read as a record.
    public var offset: Int64 { window.offset }
    /// The offset in the whole file where the line `next` gave last starts.
    public private(set) var lineStart: Int64 = 0

    /// `offset` is where in the file the first byte given to `append` sits (0 for a new file, the
    /// stored position when resuming).
    public init(offset: Int64 = 0, separator: UInt8 = UInt8(ascii: ",")) {
        window = FileWindow(offset: offset)
        self.separator = separator
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        window.append(bytes)
    }

    /// The next line, or nil when the bytes given so far hold no complete one; with `atEnd` (no
    /// more bytes will come), the last line needs no line break and nil means the file is done.
    public mutating func next(atEnd: Bool) -> Line? {
        while true {
            guard let (line, end) = scan(atEnd: atEnd) else { return nil }
            lineStart = window.offset
            let first = window.bytes[window.start]
            let blank = first == UInt8(ascii: "\r") || first == UInt8(ascii: "\n")
            window.take(upTo: end)
            if blank, case .record(let fields) = line, fields == [""] { continue }
            return line
        }
    }

    /// Bytes given but not yet read as a line.
    public var pendingBytes: Int { window.pendingCount }

    private enum Field {
        case plain
        case quoted
        case afterQuote
    }

    /// The line starting at `start` and the index just past it (past its line break).
    private func scan(atEnd: Bool) -> (Line, Int)? {
        let (buffer, start) = (window.bytes, window.start)
        guard start < buffer.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var state = Field.plain
        var fieldStarted = false
        var problem: String?
        var index = start
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        func take(_ bytes: [UInt8]) -> String? {
            String(validating: bytes, as: UTF8.self)
        }

        while index < buffer.count {
            let byte = buffer[index]
            switch state {
            case .quoted:
                if byte == quote {
                    state = .afterQuote
                } else {
                    field.append(byte)
                }
                index += 1
            case .afterQuote:
                if byte == quote {
                    field.append(quote)
                    state = .quoted
                    index += 1
                    continue
                }
                if byte != separator, byte != cr, byte != lf { problem = problem ?? "text follows a closing quote" }
                state = .plain
                fallthrough
            case .plain:
                if byte == separator {
                    if let text = take(field) { fields.append(text) } else { problem = problem ?? "is not UTF-8 text" }
                    field.removeAll(keepingCapacity: true)
                    fieldStarted = false
                    index += 1
                } else if byte == lf || byte == cr {
                    if byte == cr {
                        // A CR at the very end may be the first half of a CRLF still on its way.
                        if index + 1 >= buffer.count, !atEnd { return nil }
                        if index + 1 < buffer.count, buffer[index + 1] == lf { index += 1 }
                    }
                    if let text = take(field) { fields.append(text) } else { problem = problem ?? "is not UTF-8 text" }
                    return (problem.map(Line.malformed) ?? .record(fields), index + 1)
                } else if byte == quote, !fieldStarted {
                    state = .quoted
                    fieldStarted = true
                    index += 1
                } else {
                    field.append(byte)
                    fieldStarted = true
                    index += 1
                }
            }
        }
        guard atEnd else { return nil }
        if state == .quoted { return (.malformed("a quoted field is not closed"), buffer.count) }
        if let text = take(field) { fields.append(text) } else { problem = problem ?? "is not UTF-8 text" }
        return (problem.map(Line.malformed) ?? .record(fields), buffer.count)
    }
}
