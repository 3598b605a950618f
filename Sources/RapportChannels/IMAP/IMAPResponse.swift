import NIOCore

/// One response from an IMAP server (RFC 3501 §7): its line, with each literal (`{n}` and the n
/// bytes after it) taken out into `literals` and a `{n}` left in its place.
struct IMAPResponse: Sendable, Equatable {
    var line: String
    var literals: [[UInt8]]

    enum Kind: Equatable {
        /// `* …`: data or status not ending a command.
        case untagged
        /// `+ …`: the server waits for more (a literal, IDLE).
        case continuation
        /// `tag OK|NO|BAD …`: the end of the command with that tag.
        case tagged(tag: String, status: String)
    }

    var kind: Kind {
        if line.hasPrefix("* ") || line == "*" { return .untagged }
        if line.hasPrefix("+") { return .continuation }
        let words = line.split(separator: " ", maxSplits: 2)
        return .tagged(tag: words.first.map(String.init) ?? "", status: words.count > 1 ? words[1].uppercased() : "")
    }

    /// The words after `* ` (or after the tag and status), upper-cased for matching.
    var words: [Substring] { line.split(separator: " ") }

    /// The text in brackets after the status (`* OK [UIDVALIDITY 3857529045] UIDs valid`), if any.
    var responseCode: String? {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        return String(line[line.index(after: open)..<close])
    }

    /// `* n EXISTS`: the number of messages in the mailbox.
    var exists: Int? {
        let parts = words
        guard parts.count >= 3, parts[0] == "*", parts[2].uppercased() == "EXISTS" else { return nil }
        return Int(parts[1])
    }

    /// The capabilities a `* CAPABILITY …` response, or an `[CAPABILITY …]` code, lists.
    var capabilities: Set<String>? {
        if let code = responseCode, code.uppercased().hasPrefix("CAPABILITY ") {
            return Set(code.uppercased().split(separator: " ").dropFirst().map(String.init))
        }
        let parts = words
        guard parts.count >= 2, parts[0] == "*", parts[1].uppercased() == "CAPABILITY" else { return nil }
        return Set(parts.dropFirst(2).map { $0.uppercased() })
    }

    /// A number in a response code such as `[UIDVALIDITY 3857529045]` or `[UIDNEXT 4392]`.
    func codeNumber(_ name: String) -> UInt32? {
        guard let code = responseCode?.split(separator: " "), code.count == 2, code[0].uppercased() == name else { return nil }
        return UInt32(code[1])
    }

    /// `* SEARCH 1 2 3`: the numbers found.
    var searchResults: [UInt32]? {
        let parts = words
        guard parts.count >= 2, parts[0] == "*", parts[1].uppercased() == "SEARCH" else { return nil }
        return parts.dropFirst(2).compactMap { UInt32($0) }
    }

    /// `* n FETCH (UID u RFC822.SIZE s BODY[] {len}…)`: the message's UID and, when the response
    /// carries it, the whole message (the first literal after `BODY[]`).
    var fetched: (uid: UInt32, message: [UInt8]?)? {
        let parts = words
        guard parts.count >= 3, parts[0] == "*", parts[2].uppercased().hasPrefix("FETCH") else { return nil }
        let upper = line.uppercased()
        guard let uidRange = upper.range(of: "UID ") else { return nil }
        let digits = upper[uidRange.upperBound...].prefix { $0.isNumber }
        guard let uid = UInt32(digits) else { return nil }
        guard let body = upper.range(of: "BODY[]") else { return (uid, nil) }
        // Which literal follows BODY[]: count the `{n}` markers before it.
        let before = upper[..<body.lowerBound].filter { $0 == "{" }.count
        return (uid, before < literals.count ? literals[before] : nil)
    }
}

/// Reads IMAP responses: a line ending in CRLF, and when the line ends in `{n}`, the n bytes of
/// the literal and the rest of the line after it, as many times as it has literals.
struct IMAPResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = IMAPResponse

    /// The longest line (outside literals) and literal taken.
    let maxLineLength = 64 * 1_024
    let maxLiteralLength: Int
    private var line: [UInt8] = []
    private var literals: [[UInt8]] = []
    /// The length of the literal being read, once its `{n}` line was read.
    private var pendingLiteral: Int?

    init(maxLiteralLength: Int) {
        self.maxLiteralLength = maxLiteralLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let length = pendingLiteral {
            guard buffer.readableBytes >= length, let bytes = buffer.readBytes(length: length) else { return .needMoreData }
            literals.append(bytes)
            pendingLiteral = nil
            return .continue
        }
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else {
            if buffer.readableBytes + line.count > maxLineLength { throw ClientConnectionError.malformed("an IMAP line over \(maxLineLength) bytes") }
            return .needMoreData
        }
        var piece = Array(buffer.readSlice(length: newline - view.startIndex + 1)!.readableBytesView)
        while let last = piece.last, last == 0x0A || last == 0x0D { piece.removeLast() }
        line += piece
        if line.count > maxLineLength { throw ClientConnectionError.malformed("an IMAP line over \(maxLineLength) bytes") }
        if let length = Self.literalLength(atEndOf: line) {
            guard length <= maxLiteralLength else { throw ClientConnectionError.malformed("a literal of \(length) bytes") }
            pendingLiteral = length
            return .continue
        }
        let response = IMAPResponse(line: String(decoding: line, as: UTF8.self), literals: literals)
        line = []
        literals = []
        context.fireChannelRead(wrapInboundOut(response))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// `n` when the line ends in `{n}` (or `{n+}`).
    static func literalLength(atEndOf line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
