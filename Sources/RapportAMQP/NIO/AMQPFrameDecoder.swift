import NIOCore

/// Cuts the inbound byte stream into frames.
struct AMQPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = AMQPFrame

    /// Largest frame we accept: our own frame-max (the broker may not exceed what we agreed to).
    let maxFrameSize: Int

    init(frameMax: UInt32) {
        self.maxFrameSize = frameMax == 0 ? Int(UInt32.max) : max(Int(frameMax), 4096)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try AMQPFrameCodec.decode(from: &buffer, maxFrameSize: maxFrameSize) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial frame at EOF is useless: the connection is gone either way.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
