/// Splits expression source into tokens; errors carry the offending UTF-8 offset.
struct ExpressionLexer {
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ source: String) {
        bytes = Array(source.utf8)
    }

    /// Every token of the source, ending with `.end`.
    static func tokenize(_ source: String) throws(Failure) -> [ExpressionToken] {
        var lexer = ExpressionLexer(source)
        var tokens: [ExpressionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let index = position + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func next() throws(Failure) -> ExpressionToken {
        skipTrivia()
        let start = position
        guard let byte = peek() else { return ExpressionToken(kind: .end, offset: start) }
        func single(_ kind: ExpressionToken.Kind, length: Int = 1) -> ExpressionToken {
            position += length
            return ExpressionToken(kind: kind, offset: start)
        }
        switch byte {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"): return single(.colon)
        case UInt8(ascii: "?"): return single(.question)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"): return single(.minus)
        case UInt8(ascii: "*"): return single(.star)
        case UInt8(ascii: "/"): return single(.slash)
        case UInt8(ascii: "%"): return single(.percent)
        case UInt8(ascii: "!"):
            return peek(1) == UInt8(ascii: "=") ? single(.notEqual, length: 2) : single(.bang)
        case UInt8(ascii: "<"):
            return peek(1) == UInt8(ascii: "=") ? single(.lessEqual, length: 2) : single(.less)
        case UInt8(ascii: ">"):
            return peek(1) == UInt8(ascii: "=") ? single(.greaterEqual, length: 2) : single(.greater)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return single(.equal, length: 2) }
            throw Failure(offset: start, message: "unexpected '='; use '==' to compare")
        case UInt8(ascii: "&"):
            if peek(1) == UInt8(ascii: "&") { return single(.and, length: 2) }
            throw Failure(offset: start, message: "unexpected '&'; use '&&'")
        case UInt8(ascii: "|"):
            if peek(1) == UInt8(ascii: "|") { return single(.or, length: 2) }
            throw Failure(offset: start, message: "unexpected '|'; use '||'")
        case UInt8(ascii: "."):
            if let digit = peek(1), Self.isDigit(digit) { return try number() }
            return single(.dot)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return ExpressionToken(kind: .string(try string(quote: byte)), offset: start)
        default:
            if Self.isDigit(byte) { return try number() }
            if Self.isIdentifierStart(byte) { return identifier() }
            throw Failure(offset: start, message: "unexpected character")
        }
    }

    private mutating func skipTrivia() {
        while let byte = peek() {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                position += 1
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let next = peek(), next != UInt8(ascii: "\n") { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func identifier() -> ExpressionToken {
        let start = position
        while let byte = peek(), Self.isIdentifierStart(byte) || Self.isDigit(byte) { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        let kind: ExpressionToken.Kind
        switch name {
        case "true": kind = .trueLiteral
        case "false": kind = .falseLiteral
        case "null": kind = .nullLiteral
        case "in": kind = .inKeyword
        default: kind = .identifier(name)
        }
        return ExpressionToken(kind: kind, offset: start)
    }

    private mutating func number() throws(Failure) -> ExpressionToken {
        let start = position
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            position += 2
            let digitsStart = position
            while let byte = peek(), Self.hexValue(byte) != nil { position += 1 }
            let text = String(decoding: bytes[digitsStart..<position], as: UTF8.self)
            guard let value = UInt64(text, radix: 16) else {
                throw Failure(offset: start, message: "invalid hexadecimal integer literal")
            }
            try rejectSuffix(start)
            return ExpressionToken(kind: .integer(value), offset: start)
        }
        var isDouble = false
        while let byte = peek(), Self.isDigit(byte) { position += 1 }
        if peek() == UInt8(ascii: "."), let digit = peek(1), Self.isDigit(digit) {
            isDouble = true
            position += 1
            while let byte = peek(), Self.isDigit(byte) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var ahead = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { ahead = 2 }
            if let digit = peek(ahead), Self.isDigit(digit) {
                isDouble = true
                position += ahead
                while let byte = peek(), Self.isDigit(byte) { position += 1 }
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        try rejectSuffix(start)
        if isDouble {
            guard let value = Double(text), value.isFinite else {
                throw Failure(offset: start, message: "invalid floating-point literal")
            }
            return ExpressionToken(kind: .double(value), offset: start)
        }
        guard let value = UInt64(text), value <= UInt64(Int64.max) + 1 else {
            throw Failure(offset: start, message: "integer literal out of range")
        }
        return ExpressionToken(kind: .integer(value), offset: start)
    }

    private func rejectSuffix(_ start: Int) throws(Failure) {
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U") {
            throw Failure(offset: start, message: "unsigned integer literals are not supported")
        }
        if Self.isIdentifierStart(byte) {
            throw Failure(offset: position, message: "unexpected character after number")
        }
    }

    private mutating func string(quote: UInt8) throws(Failure) -> String {
        let start = position
        position += 1
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw Failure(offset: start, message: "unterminated string literal")
            }
            if byte == quote {
                position += 1
                return String(decoding: output, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw Failure(offset: start, message: "unterminated string literal")
            }
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                position += 1
                continue
            }
            let escapeStart = position
            guard let escape = peek(1) else {
                throw Failure(offset: start, message: "unterminated string literal")
            }
            position += 2
            switch escape {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: "?"):
                output.append(escape)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let width = escape == UInt8(ascii: "u") ? 4 : 8
                var code: UInt32 = 0
                for _ in 0..<width {
                    guard let digit = peek(), let value = Self.hexValue(digit) else {
                        throw Failure(offset: escapeStart, message: "invalid unicode escape: expected \(width) hexadecimal digits")
                    }
                    code = code * 16 + UInt32(value)
                    position += 1
                }
                guard let scalar = Unicode.Scalar(code) else {
                    throw Failure(offset: escapeStart, message: "invalid unicode escape: not a Unicode scalar value")
                }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw Failure(offset: escapeStart, message: "invalid escape sequence")
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
