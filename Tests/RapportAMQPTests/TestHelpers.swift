import NIOCore
@testable import RapportAMQP

/// Hex text (whitespace ignored) to a buffer.
func buffer(hex: String) -> ByteBuffer {
    let digits = hex.filter { !$0.isWhitespace }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return ByteBuffer(bytes: bytes)
}

func hex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { String(format: "%02x", $0) }.joined()
}

func encode(_ frame: AMQPFrame) throws -> String {
    var out = ByteBuffer()
    try AMQPFrameCodec.encode(frame, into: &out)
    return hex(out)
}

func decode(hex text: String) throws -> AMQPFrame? {
    var input = buffer(hex: text)
    let frame = try AMQPFrameCodec.decode(from: &input)
    if frame != nil { precondition(input.readableBytes == 0, "bytes left after the frame") }
    return frame
}
