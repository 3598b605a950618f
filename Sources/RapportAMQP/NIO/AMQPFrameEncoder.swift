import NIOCore

/// What the connection handler writes: the protocol header once, then batches of frames.
enum AMQPOutbound: Sendable {
    case protocolHeader
    /// Several frames encoded into one buffer: a publish (method, header, body) becomes one write.
    case frames([AMQPFrame])
}

/// Encodes outbound frames.
struct AMQPFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = AMQPOutbound

    func encode(data: AMQPOutbound, out: inout ByteBuffer) throws {
        switch data {
        case .protocolHeader:
            out.writeBytes(AMQPProtocolHeader.bytes)
        case .frames(let frames):
            for frame in frames { try AMQPFrameCodec.encode(frame, into: &out) }
        }
    }
}
