import NIOCore

/// A value in an AMQP field table or array, with the type tags RabbitMQ uses (its errata, not the original 0-9-1 grammar).
public indirect enum AMQPFieldValue: Sendable, Hashable {
    /// `t`
    case bool(Bool)
    /// `b`
    case int8(Int8)
    /// `B`
    case uint8(UInt8)
    /// `s` (RabbitMQ reads `s` as a signed 16-bit integer, not a short string)
    case int16(Int16)
    /// `u`
    case uint16(UInt16)
    /// `I`
    case int32(Int32)
    /// `i`
    case uint32(UInt32)
    /// `l`
    case int64(Int64)
    /// `L`
    case uint64(UInt64)
    /// `f`
    case float(Float)
    /// `d`
    case double(Double)
    /// `D`: value × 10^-scale
    case decimal(scale: UInt8, value: UInt32)
    /// `S` (decoded as UTF-8; invalid sequences are replaced)
    case string(String)
    /// `x`
    case bytes([UInt8])
    /// `A`
    case array([AMQPFieldValue])
    /// `T`: seconds since the Unix epoch
    case timestamp(UInt64)
    /// `F`
    case table(AMQPFieldTable)
    /// `V`
    case void
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    /// Integer literals become `l` (signed 64-bit), which RabbitMQ accepts for every numeric argument.
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ByteBuffer {
    mutating func writeFieldValue(_ value: AMQPFieldValue) throws {
        switch value {
        case .bool(let v): writeInteger(UInt8(ascii: "t")); writeInteger(UInt8(v ? 1 : 0))
        case .int8(let v): writeInteger(UInt8(ascii: "b")); writeInteger(v)
        case .uint8(let v): writeInteger(UInt8(ascii: "B")); writeInteger(v)
        case .int16(let v): writeInteger(UInt8(ascii: "s")); writeInteger(v)
        case .uint16(let v): writeInteger(UInt8(ascii: "u")); writeInteger(v)
        case .int32(let v): writeInteger(UInt8(ascii: "I")); writeInteger(v)
        case .uint32(let v): writeInteger(UInt8(ascii: "i")); writeInteger(v)
        case .int64(let v): writeInteger(UInt8(ascii: "l")); writeInteger(v)
        case .uint64(let v): writeInteger(UInt8(ascii: "L")); writeInteger(v)
        case .float(let v): writeInteger(UInt8(ascii: "f")); writeInteger(v.bitPattern)
        case .double(let v): writeInteger(UInt8(ascii: "d")); writeInteger(v.bitPattern)
        case .decimal(let scale, let v): writeInteger(UInt8(ascii: "D")); writeInteger(scale); writeInteger(v)
        case .string(let v): writeInteger(UInt8(ascii: "S")); writeLongString(v)
        case .bytes(let v): writeInteger(UInt8(ascii: "x")); writeLongBytes(v)
        case .array(let values):
            writeInteger(UInt8(ascii: "A"))
            try writeLengthPrefixed { buffer in for value in values { try buffer.writeFieldValue(value) } }
        case .timestamp(let v): writeInteger(UInt8(ascii: "T")); writeInteger(v)
        case .table(let table): writeInteger(UInt8(ascii: "F")); try writeFieldTable(table)
        case .void: writeInteger(UInt8(ascii: "V"))
        }
    }

    mutating func readFieldValue() throws -> AMQPFieldValue {
        let tag = try readAMQPInteger(as: UInt8.self)
        switch tag {
        case UInt8(ascii: "t"): return .bool(try readAMQPInteger(as: UInt8.self) != 0)
        case UInt8(ascii: "b"): return .int8(try readAMQPInteger())
        case UInt8(ascii: "B"): return .uint8(try readAMQPInteger())
        case UInt8(ascii: "s"): return .int16(try readAMQPInteger())
        case UInt8(ascii: "u"): return .uint16(try readAMQPInteger())
        case UInt8(ascii: "I"): return .int32(try readAMQPInteger())
        case UInt8(ascii: "i"): return .uint32(try readAMQPInteger())
        case UInt8(ascii: "l"): return .int64(try readAMQPInteger())
        case UInt8(ascii: "L"): return .uint64(try readAMQPInteger())
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readAMQPInteger()))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readAMQPInteger()))
        case UInt8(ascii: "D"): return .decimal(scale: try readAMQPInteger(), value: try readAMQPInteger())
        case UInt8(ascii: "S"): return .string(try readLongString())
        case UInt8(ascii: "x"): return .bytes(try readLongBytes())
        case UInt8(ascii: "A"):
            var slice = try readLengthPrefixedSlice()
            var values: [AMQPFieldValue] = []
            while slice.readableBytes > 0 { values.append(try slice.readFieldValue()) }
            return .array(values)
        case UInt8(ascii: "T"): return .timestamp(try readAMQPInteger())
        case UInt8(ascii: "F"): return .table(try readFieldTable())
        case UInt8(ascii: "V"): return .void
        default: throw AMQPError(.frameError, "unknown field type tag \(tag)")
        }
    }

    /// Writes a 32-bit length, then the body, then patches the length in: avoids encoding twice.
    mutating func writeLengthPrefixed(_ body: (inout ByteBuffer) throws -> Void) throws {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        try body(&self)
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    mutating func readLengthPrefixedSlice() throws -> ByteBuffer {
        let length = try readAMQPInteger(as: UInt32.self)
        guard let slice = readSlice(length: Int(length)) else { throw AMQPError(.frameError, "truncated table or array") }
        return slice
    }
}
