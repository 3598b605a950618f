import NIOCore

/// One AMQP frame (spec 4.2.3): type octet, channel, 32-bit payload size, payload, then the frame-end octet 0xCE.
enum AMQPFrame: Sendable, Equatable {
    case method(channel: UInt16, AMQPMethod)
    case header(channel: UInt16, AMQPContentHeader)
    case body(channel: UInt16, ByteBuffer)
    case heartbeat

    /// The channel the frame belongs to; heartbeats always use channel 0.
    var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }

    static let typeMethod: UInt8 = 1
    static let typeHeader: UInt8 = 2
    static let typeBody: UInt8 = 3
    static let typeHeartbeat: UInt8 = 8
    static let frameEnd: UInt8 = 0xCE
    /// Type (1) + channel (2) + size (4) + frame-end (1).
    static let overhead = 8
}

/// The bytes a client sends first: "AMQP" 0 0 9 1.
enum AMQPProtocolHeader {
    static let bytes: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0x00, 0x00, 0x09, 0x01]
}

/// Encodes and decodes frames without any I/O.
enum AMQPFrameCodec {
    /// Appends `frame` to `buffer`.
    static func encode(_ frame: AMQPFrame, into buffer: inout ByteBuffer) throws {
        let type: UInt8
        switch frame {
        case .method: type = AMQPFrame.typeMethod
        case .header: type = AMQPFrame.typeHeader
        case .body: type = AMQPFrame.typeBody
        case .heartbeat: type = AMQPFrame.typeHeartbeat
        }
        buffer.writeInteger(type)
        buffer.writeInteger(frame.channel)
        let sizeIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        switch frame {
        case .method(_, let method): try buffer.writeAMQPMethod(method)
        case .header(_, let header): try buffer.writeContentHeader(header)
        case .body(_, var body): buffer.writeBuffer(&body)
        case .heartbeat: break
        }
        buffer.setInteger(UInt32(buffer.writerIndex - sizeIndex - 4), at: sizeIndex)
        buffer.writeInteger(AMQPFrame.frameEnd)
    }

    /// Reads one frame from the front of `buffer`, or returns nil (consuming nothing) when it is not complete yet.
    /// `maxFrameSize` bounds what a peer may make us buffer.
    static func decode(from buffer: inout ByteBuffer, maxFrameSize: Int = Int(UInt32.max)) throws -> AMQPFrame? {
        guard buffer.readableBytes >= 7 else { return nil }
        let start = buffer.readerIndex
        if buffer.getBytes(at: start, length: 4) == Array("AMQP".utf8) {
            // The broker answers a protocol header it does not support with its own and closes.
            let version = buffer.getBytes(at: start + 4, length: min(4, buffer.readableBytes - 4)) ?? []
            throw AMQPError(.protocolError, "broker rejected protocol version, it offers \(version)")
        }
        let type = buffer.getInteger(at: start, as: UInt8.self)!
        let channel = buffer.getInteger(at: start + 1, as: UInt16.self)!
        let size = Int(buffer.getInteger(at: start + 3, as: UInt32.self)!)
        guard size + AMQPFrame.overhead <= maxFrameSize else {
            throw AMQPError(.frameError, "frame of \(size) bytes exceeds frame-max \(maxFrameSize)")
        }
        guard buffer.readableBytes >= size + AMQPFrame.overhead else { return nil }
        guard buffer.getInteger(at: start + 7 + size, as: UInt8.self) == AMQPFrame.frameEnd else {
            throw AMQPError(.frameError, "missing frame-end octet")
        }
        buffer.moveReaderIndex(forwardBy: 7)
        var payload = buffer.readSlice(length: size)!
        buffer.moveReaderIndex(forwardBy: 1)
        let frame: AMQPFrame
        switch type {
        case AMQPFrame.typeMethod: frame = .method(channel: channel, try payload.readAMQPMethod())
        case AMQPFrame.typeHeader: frame = .header(channel: channel, try payload.readContentHeader())
        case AMQPFrame.typeBody: return .body(channel: channel, payload)
        case AMQPFrame.typeHeartbeat:
            guard channel == 0 else { throw AMQPError(.frameError, "heartbeat on channel \(channel)") }
            return .heartbeat
        default: throw AMQPError(.frameError, "unknown frame type \(type)")
        }
        guard payload.readableBytes == 0 else {
            throw AMQPError(.frameError, "\(payload.readableBytes) unread bytes after frame payload")
        }
        return frame
    }
}
