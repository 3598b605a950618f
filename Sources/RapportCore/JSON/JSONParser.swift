/// Why a JSON document was rejected, and the byte offset where the problem was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public let offset: Int
    /// What is wrong, e.g. "unexpected character '}'" or "unterminated string".
    public let reason: String

    /// Creates an error for the problem `reason` at byte `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// A message fit for an API client, e.g. "malformed JSON at byte 17: unexpected character '}'".
    public var description: String {
        "malformed JSON at byte \(offset): \(reason)"
    }
}

/// Strict RFC 8259 parser that turns bytes into a `JSONValue`.
public enum JSONParser {
    /// Parses one JSON value from UTF-8 bytes, allowing at most `maxDepth` nested arrays and objects.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses one JSON value from text, allowing at most `maxDepth` nested arrays and objects.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses one JSON value from any collection of UTF-8 bytes, such as a slice or a network buffer view.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONValue {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        if let contiguous {
            return try contiguous.get()
        }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONSyntaxError> {
        var reader = JSONReader(bytes: buffer, maxDepth: maxDepth)
        return Result { () throws(JSONSyntaxError) -> JSONValue in
            try reader.parseDocument()
        }
    }
}

/// Recursive-descent reader over a borrowed byte buffer; every read is preceded by a bounds check.
private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if offset < bytes.count {
            throw JSONSyntaxError(offset: offset, reason: "trailing characters after JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        guard offset < bytes.count else { throw unexpected(at: offset) }
        switch bytes[offset] {
        case JSONByte.openBrace:
            return try parseObject(depth: depth + 1)
        case JSONByte.openBracket:
            return try parseArray(depth: depth + 1)
        case JSONByte.quote:
            return .string(try parseString())
        case JSONByte.lowerT:
            try expectLiteral(Literal.true)
            return .bool(true)
        case JSONByte.lowerF:
            try expectLiteral(Literal.false)
            return .bool(false)
        case JSONByte.lowerN:
            try expectLiteral(Literal.null)
            return .null
        case JSONByte.minus, JSONByte.zero...JSONByte.nine:
            return try parseNumber()
        default:
            throw unexpected(at: offset)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        try checkDepth(depth)
        offset += 1
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == JSONByte.closeBracket {
            offset += 1
            return .array([])
        }
        var elements: [JSONValue] = []
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw unexpected(at: offset) }
            switch bytes[offset] {
            case JSONByte.comma:
                offset += 1
            case JSONByte.closeBracket:
                offset += 1
                return .array(elements)
            default:
                throw unexpected(at: offset)
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        try checkDepth(depth)
        offset += 1
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == JSONByte.closeBrace {
            offset += 1
            return .object(JSONObject())
        }
        var object = JSONObject()
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == JSONByte.quote else { throw unexpected(at: offset) }
            let keyOffset = offset
            let key = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == JSONByte.colon else { throw unexpected(at: offset) }
            offset += 1
            let value = try parseValue(depth: depth)
            guard object.appendIfAbsent(key, value) else {
                throw JSONSyntaxError(offset: keyOffset, reason: "duplicate key \(Self.quoted(key))")
            }
            skipWhitespace()
            guard offset < bytes.count else { throw unexpected(at: offset) }
            switch bytes[offset] {
            case JSONByte.comma:
                offset += 1
            case JSONByte.closeBrace:
                offset += 1
                return .object(object)
            default:
                throw unexpected(at: offset)
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
        if depth > maxDepth {
            throw JSONSyntaxError(offset: offset, reason: "nesting deeper than \(maxDepth)")
        }
    }

    private mutating func expectLiteral(_ literal: [UInt8]) throws(JSONSyntaxError) {
        for expected in literal {
            guard offset < bytes.count, bytes[offset] == expected else { throw unexpected(at: offset) }
            offset += 1
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = offset
        let negative = bytes[offset] == JSONByte.minus
        if negative {
            offset += 1
        }
        guard offset < bytes.count, isDigit(bytes[offset]) else {
            throw JSONSyntaxError(offset: offset, reason: "missing digits after minus sign")
        }
        // Accumulate the magnitude while scanning so plain integers never go through a string.
        var magnitude: UInt64 = 0
        var overflowed = false
        if bytes[offset] == JSONByte.zero {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) {
                throw JSONSyntaxError(offset: offset - 1, reason: "leading zeros are not allowed")
            }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) {
                if !overflowed {
                    let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[offset] &- JSONByte.zero))
                    magnitude = sum
                    overflowed = overflow1 || overflow2
                }
                offset += 1
            }
        }
        var isInteger = true
        if offset < bytes.count, bytes[offset] == JSONByte.period {
            isInteger = false
            offset += 1
            try skipDigits(orFail: "missing digits after decimal point")
        }
        if offset < bytes.count, bytes[offset] | 0x20 == JSONByte.lowerE {
            isInteger = false
            offset += 1
            if offset < bytes.count, bytes[offset] == JSONByte.plus || bytes[offset] == JSONByte.minus {
                offset += 1
            }
            try skipDigits(orFail: "missing digits in exponent")
        }
        if isInteger, !overflowed {
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .integer(Int64(truncatingIfNeeded: 0 &- magnitude))
            }
            if !negative, magnitude <= UInt64(Int64.max) {
                return .integer(Int64(magnitude))
            }
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let number = Double(literal), number.isFinite else {
            throw JSONSyntaxError(offset: start, reason: "number out of range")
        }
        return .double(number)
    }

    private mutating func skipDigits(orFail reason: String) throws(JSONSyntaxError) {
        guard offset < bytes.count, isDigit(bytes[offset]) else {
            throw JSONSyntaxError(offset: offset, reason: reason)
        }
        repeat {
            offset += 1
        } while offset < bytes.count && isDigit(bytes[offset])
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- JSONByte.zero < 10
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = offset
        offset += 1
        var runStart = offset
        // Stays nil for strings without escapes, which are then decoded straight from the input.
        var unescaped: [UInt8]?
        while true {
            guard offset < bytes.count else {
                throw JSONSyntaxError(offset: start, reason: "unterminated string")
            }
            let byte = bytes[offset]
            if byte == JSONByte.quote {
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<offset])
                offset += 1
                guard var text = unescaped else {
                    return String(decoding: run, as: UTF8.self)
                }
                text.append(contentsOf: run)
                return String(decoding: text, as: UTF8.self)
            } else if byte == JSONByte.backslash {
                var text = unescaped ?? []
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
                try appendEscape(to: &text, stringStart: start)
                unescaped = text
                runStart = offset
            } else if byte < 0x20 {
                throw JSONSyntaxError(offset: offset, reason: "unescaped control character in string")
            } else if byte < 0x80 {
                offset += 1
            } else {
                try skipUTF8Sequence()
            }
        }
    }

    /// Decodes the escape at `offset` (a backslash) into UTF-8 and moves past it.
    private mutating func appendEscape(to text: inout [UInt8], stringStart: Int) throws(JSONSyntaxError) {
        let escapeStart = offset
        guard offset + 1 < bytes.count else {
            throw JSONSyntaxError(offset: stringStart, reason: "unterminated string")
        }
        let code = bytes[offset + 1]
        offset += 2
        switch code {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash:
            text.append(code)
        case JSONByte.lowerB: text.append(0x08)
        case JSONByte.lowerF: text.append(0x0C)
        case JSONByte.lowerN: text.append(0x0A)
        case JSONByte.lowerR: text.append(0x0D)
        case JSONByte.lowerT: text.append(0x09)
        case JSONByte.lowerU:
            let unit = try readHexQuad(escapeStart: escapeStart, stringStart: stringStart)
            var scalarValue = UInt32(unit)
            if (0xDC00...0xDFFF).contains(unit) {
                throw JSONSyntaxError(offset: escapeStart, reason: "lone surrogate in \\u escape")
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard offset + 1 < bytes.count,
                      bytes[offset] == JSONByte.backslash,
                      bytes[offset + 1] == JSONByte.lowerU
                else {
                    throw JSONSyntaxError(offset: escapeStart, reason: "lone surrogate in \\u escape")
                }
                let lowStart = offset
                offset += 2
                let low = try readHexQuad(escapeStart: lowStart, stringStart: stringStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONSyntaxError(offset: escapeStart, reason: "lone surrogate in \\u escape")
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            appendUTF8(scalarValue, to: &text)
        default:
            throw JSONSyntaxError(offset: escapeStart, reason: "invalid escape sequence")
        }
    }

    private mutating func readHexQuad(escapeStart: Int, stringStart: Int) throws(JSONSyntaxError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else {
                throw JSONSyntaxError(offset: stringStart, reason: "unterminated string")
            }
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case JSONByte.zero...JSONByte.nine: digit = byte - JSONByte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONSyntaxError(offset: escapeStart, reason: "invalid \\u escape")
            }
            unit = unit << 4 | UInt16(digit)
            offset += 1
        }
        return unit
    }

    private func appendUTF8(_ scalar: UInt32, to text: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            text.append(UInt8(scalar))
        case 0x80..<0x800:
            text.append(0xC0 | UInt8(scalar >> 6))
            text.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            text.append(0xE0 | UInt8(scalar >> 12))
            text.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            text.append(0x80 | UInt8(scalar & 0x3F))
        default:
            text.append(0xF0 | UInt8(scalar >> 18))
            text.append(0x80 | UInt8((scalar >> 12) & 0x3F))
            text.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            text.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// Moves past one well-formed multi-byte UTF-8 sequence (Unicode 15 table 3-7) or throws.
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default:
            throw JSONSyntaxError(offset: offset, reason: "invalid UTF-8")
        }
        guard offset + length <= bytes.count, secondRange.contains(bytes[offset + 1]) else {
            throw JSONSyntaxError(offset: offset, reason: "invalid UTF-8")
        }
        for next in (offset + 2)..<(offset + length) where bytes[next] & 0xC0 != 0x80 {
            throw JSONSyntaxError(offset: offset, reason: "invalid UTF-8")
        }
        offset += length
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case JSONByte.space, JSONByte.tab, JSONByte.newline, JSONByte.carriageReturn:
                offset += 1
            default:
                return
            }
        }
    }

    private func unexpected(at position: Int) -> JSONSyntaxError {
        guard position < bytes.count else {
            return JSONSyntaxError(offset: position, reason: "unexpected end of input")
        }
        let byte = bytes[position]
        if byte > 0x20, byte < 0x7F {
            return JSONSyntaxError(offset: position, reason: "unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return JSONSyntaxError(offset: position, reason: "unexpected byte 0x\(byte < 0x10 ? "0" : "")\(hex)")
    }

    /// The key as a JSON string literal, shortened so an error message stays small.
    private static func quoted(_ key: String) -> String {
        let limit = 64
        guard key.count > limit else { return JSONValue.string(key).jsonString }
        return JSONValue.string(String(key.prefix(limit)) + "…").jsonString
    }
}

private enum Literal {
    static let `true`: [UInt8] = Array("true".utf8)
    static let `false`: [UInt8] = Array("false".utf8)
    static let null: [UInt8] = Array("null".utf8)
}

/// Byte values of the ASCII characters JSON's grammar uses.
enum JSONByte {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let plus = UInt8(ascii: "+")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let period = UInt8(ascii: ".")
    static let slash = UInt8(ascii: "/")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let lowerB = UInt8(ascii: "b")
    static let lowerE = UInt8(ascii: "e")
    static let lowerF = UInt8(ascii: "f")
    static let lowerN = UInt8(ascii: "n")
    static let lowerR = UInt8(ascii: "r")
    static let lowerT = UInt8(ascii: "t")
    static let lowerU = UInt8(ascii: "u")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
}
