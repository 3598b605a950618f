import NIOCore

/// Reads a relay's replies: `250-first` … `250 last` lines gathered into one `SMTPReply`.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// A reply longer than this is a broken relay, not a reply.
    static let maxLineLength = 4_096
    static let maxLines = 200
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > Self.maxLineLength { throw ClientConnectionError.malformed("a reply line over \(Self.maxLineLength) bytes") }
            return .needMoreData
        }
        var bytes = Array(buffer.readSlice(length: newline - view.startIndex + 1)?.readableBytesView ?? [])
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else {
            throw ClientConnectionError.malformed(String(line.prefix(200)))
        }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        lines.append(text)
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") {
            if lines.count > Self.maxLines { throw ClientConnectionError.malformed("a reply of over \(Self.maxLines) lines") }
            return .continue
        }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// How talking to a mail server went wrong.
enum ClientConnectionError: Error, CustomStringConvertible {
    case malformed(String)
    case timedOut
    case closed
    /// Nothing came within a wait that expected nothing in particular.
    case quiet

    var description: String {
        switch self {
        case .malformed(let text): return "the server sent something that is not a response: \(text)"
        case .timedOut: return "the server did not answer in time"
        case .closed: return "the server closed the connection"
        case .quiet: return "nothing came within the wait"
        }
    }
}
