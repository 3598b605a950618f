import NIOCore

/// An AMQP field table: keys keep their insertion order so encodings are deterministic.
public struct AMQPFieldTable: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    private var keys: [String] = []
    private var values: [String: AMQPFieldValue] = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value for `key`; setting `nil` removes it.
    public subscript(key: String) -> AMQPFieldValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The number of entries.
    public var count: Int { keys.count }
    /// Whether the table has no entries.
    public var isEmpty: Bool { keys.isEmpty }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: AMQPFieldValue)> {
        keys.lazy.map { (key: $0, value: self.values[$0]!) }.makeIterator()
    }

    /// Order does not matter for equality: a table is a map on the wire.
    public static func == (lhs: AMQPFieldTable, rhs: AMQPFieldTable) -> Bool { lhs.values == rhs.values }
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

extension ByteBuffer {
    mutating func writeFieldTable(_ table: AMQPFieldTable) throws {
        try writeLengthPrefixed { buffer in
            for (key, value) in table {
                try buffer.writeShortString(key)
                try buffer.writeFieldValue(value)
            }
        }
    }

    mutating func readFieldTable() throws -> AMQPFieldTable {
        var slice = try readLengthPrefixedSlice()
        var table = AMQPFieldTable()
        while slice.readableBytes > 0 {
            let key = try slice.readShortString()
            table[key] = try slice.readFieldValue()
        }
        return table
    }
}
