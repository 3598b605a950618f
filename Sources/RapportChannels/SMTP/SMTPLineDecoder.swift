import NIOCore

/// What the connection reads: a line with its line break, or, when a line runs longer than the
/// decoder holds, a piece of one (the rest follows).
enum SMTPInput {
    case line(ByteBuffer)
    case fragment(ByteBuffer)
}

/// Splits the byte stream into lines at LF (CRLF is RFC 5321's; bare LF is taken too).
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPInput

    /// Longer lines are passed on in pieces of this size.
    let maxLineLength: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        if let newline = view.firstIndex(of: 0x0A) {
            let line = buffer.readSlice(length: newline - view.startIndex + 1)!
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        if buffer.readableBytes >= maxLineLength {
            let piece = buffer.readSlice(length: buffer.readableBytes)!
            context.fireChannelRead(wrapInboundOut(.fragment(piece)))
            return .continue
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear()  // an unterminated last line is not a command
        return .needMoreData
    }
}
