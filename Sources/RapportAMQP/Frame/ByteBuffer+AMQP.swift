import NIOCore

// Primitive AMQP encodings (spec 4.2.5): integers are big-endian, short strings carry a one-byte length.
extension ByteBuffer {
    mutating func writeShortString(_ value: String) throws {
        let count = value.utf8.count
        guard count <= 255 else { throw AMQPError(.frameError, "short string longer than 255 bytes") }
        writeInteger(UInt8(count))
        writeString(value)
    }

    mutating func writeLongString(_ value: String) {
        writeInteger(UInt32(value.utf8.count))
        writeString(value)
    }

    mutating func writeLongBytes(_ value: [UInt8]) {
        writeInteger(UInt32(value.count))
        writeBytes(value)
    }

    mutating func readAMQPInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws -> T {
        guard let value = readInteger(as: T.self) else { throw AMQPError(.frameError, "truncated \(T.self)") }
        return value
    }

    mutating func readShortString() throws -> String {
        let count = try readAMQPInteger(as: UInt8.self)
        guard let value = readString(length: Int(count)) else { throw AMQPError(.frameError, "truncated short string") }
        return value
    }

    mutating func readLongBytes() throws -> [UInt8] {
        let count = try readAMQPInteger(as: UInt32.self)
        guard let value = readBytes(length: Int(count)) else { throw AMQPError(.frameError, "truncated long string") }
        return value
    }

    mutating func readLongString() throws -> String {
        String(decoding: try readLongBytes(), as: UTF8.self)
    }
}

/// Packs consecutive boolean fields into one octet, lowest bit first (spec 4.2.5.2).
func packBits(_ bits: Bool...) -> UInt8 {
    var octet: UInt8 = 0
    for (index, bit) in bits.enumerated() where bit { octet |= 1 << UInt8(index) }
    return octet
}

func bit(_ octet: UInt8, _ index: UInt8) -> Bool { octet & (1 << index) != 0 }
