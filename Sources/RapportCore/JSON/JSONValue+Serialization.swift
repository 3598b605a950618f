extension JSONValue {
    /// Compact UTF-8 JSON with object keys in stored order; non-finite doubles become `null`.
    public func serialized() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128)
        serialize(into: &buffer)
        return buffer
    }

    /// Appends the compact JSON form of this value to `buffer`.
    public func serialize(into buffer: inout [UInt8]) {
        switch self {
        case .null:
            buffer.append(contentsOf: JSONToken.null)
        case .bool(let value):
            buffer.append(contentsOf: value ? JSONToken.true : JSONToken.false)
        case .integer(let value):
            Self.appendInteger(value, to: &buffer)
        case .double(let value):
            if value.isFinite {
                // Swift's description is the shortest text that reads back to the same double,
                // and it keeps ".0" on integral values so they stay numbers with a fraction.
                buffer.append(contentsOf: value.description.utf8)
            } else {
                buffer.append(contentsOf: JSONToken.null)
            }
        case .string(let value):
            Self.appendString(value, to: &buffer)
        case .array(let elements):
            buffer.append(JSONByte.openBracket)
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    buffer.append(JSONByte.comma)
                }
                element.serialize(into: &buffer)
            }
            buffer.append(JSONByte.closeBracket)
        case .object(let object):
            buffer.append(JSONByte.openBrace)
            var first = true
            for (key, value) in object {
                if !first {
                    buffer.append(JSONByte.comma)
                }
                first = false
                Self.appendString(key, to: &buffer)
                buffer.append(JSONByte.colon)
                value.serialize(into: &buffer)
            }
            buffer.append(JSONByte.closeBrace)
        }
    }

    /// The compact JSON text of this value.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    private static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(JSONByte.minus)
        }
        var magnitude = value.magnitude
        var digitCount = 1
        var rest = magnitude / 10
        while rest > 0 {
            digitCount += 1
            rest /= 10
        }
        buffer.append(contentsOf: repeatElement(0, count: digitCount))
        var position = buffer.count - 1
        repeat {
            buffer[position] = JSONByte.zero + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude > 0
    }

    /// Writes `text` as a quoted JSON string, copying unescaped runs in one piece.
    private static func appendString(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            buffer.append(JSONByte.quote)
            var runStart = 0
            var position = 0
            while position < utf8.count {
                let byte = utf8[position]
                if byte >= 0x20, byte != JSONByte.quote, byte != JSONByte.backslash, byte != 0xE2 {
                    position += 1
                    continue
                }
                var escapedLength = 1
                if byte == 0xE2 {
                    // U+2028 and U+2029 are valid JSON but end lines in JavaScript, so they are escaped.
                    guard position + 2 < utf8.count, utf8[position + 1] == 0x80,
                          utf8[position + 2] == 0xA8 || utf8[position + 2] == 0xA9
                    else {
                        position += 1
                        continue
                    }
                    escapedLength = 3
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                let unit: UInt16 = byte != 0xE2 ? UInt16(byte) : utf8[position + 2] == 0xA8 ? 0x2028 : 0x2029
                appendEscape(for: unit, to: &buffer)
                position += escapedLength
                runStart = position
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            buffer.append(JSONByte.quote)
        }
    }

    private static func appendEscape(for unit: UInt16, to buffer: inout [UInt8]) {
        buffer.append(JSONByte.backslash)
        switch unit {
        case 0x22: buffer.append(JSONByte.quote)
        case 0x5C: buffer.append(JSONByte.backslash)
        case 0x0A: buffer.append(JSONByte.lowerN)
        case 0x09: buffer.append(JSONByte.lowerT)
        case 0x0D: buffer.append(JSONByte.lowerR)
        case 0x08: buffer.append(JSONByte.lowerB)
        case 0x0C: buffer.append(JSONByte.lowerF)
        default:
            buffer.append(JSONByte.lowerU)
            for shift in stride(from: 12, through: 0, by: -4) {
                buffer.append(JSONToken.hexDigits[Int((unit >> UInt16(shift)) & 0xF)])
            }
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text of this value.
    public var description: String {
        jsonString
    }
}

private enum JSONToken {
    static let null: [UInt8] = Array("null".utf8)
    static let `true`: [UInt8] = Array("true".utf8)
    static let `false`: [UInt8] = Array("false".utf8)
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
