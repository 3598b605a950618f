/// Reads comma-separated values as RFC 4180 writes them: fields in double quotes may hold
/// commas, line breaks and doubled quotes (`""` for `"`); lines end in LF or CRLF. Used to import
/// labelled history exported from other systems.
public enum CSVReader {
    /// A quoted field that is never closed, or text after a closing quote.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line where the faulty field starts.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "CSV line \(line): \(message)" }
    }

    /// Every record of `text` as its fields, the header row included. Blank lines are skipped.
    public static func records(_ text: String) throws(SyntaxError) -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var atFieldStart = true, quoted = false
        var line = 1
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty && !quoted) { records.append(record) }
            record.removeAll()
            quoted = false
        }
        var utf8 = text.utf8.makeIterator()
        var lookahead: UInt8? = utf8.next()
        while let byte = lookahead {
            lookahead = utf8.next()
            if byte == quote, atFieldStart {
                // A quoted field: everything up to the lone closing quote belongs to it.
                let start = line
                var closed = false
                while let inner = lookahead {
                    lookahead = utf8.next()
                    if inner == quote {
                        if lookahead == quote {
                            field.append(quote)
                            lookahead = utf8.next()
                            continue
                        }
                        closed = true
                        break
                    }
                    if inner == newline { line += 1 }
                    field.append(inner)
                }
                guard closed else { throw SyntaxError(line: start, message: "a quoted field is not closed") }
                if let next = lookahead, next != comma, next != newline, next != carriage {
                    throw SyntaxError(line: line, message: "text follows a closing quote")
                }
                atFieldStart = false
                quoted = true
                continue
            }
            atFieldStart = false
            switch byte {
            case comma:
                endField()
            case newline:
                endRecord()
                line += 1
            case carriage where lookahead == newline:
                break
            default:
                field.append(byte)
            }
        }
        if !record.isEmpty || !field.isEmpty || quoted { endRecord() }
        return records
    }
}
