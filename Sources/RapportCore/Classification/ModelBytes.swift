/// Little-endian writing and bounds-checked reading of the stored model format.
struct ModelBytesWriter {
    private(set) var bytes: [UInt8] = []

    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(count)
    }

    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    mutating func write(_ values: [Float]) {
        for value in values { write(value.bitPattern) }
    }

    mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

struct ModelBytesReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    private static func truncated() -> ClassifierError {
        ClassifierError(.corruptModel, "the stored model ends early")
    }

    mutating func read<Value: FixedWidthInteger>(_: Value.Type = Value.self) throws(ClassifierError) -> Value {
        let size = MemoryLayout<Value>.size
        guard remaining >= size else { throw Self.truncated() }
        var value: Value = 0
        for offset in 0..<size { value |= Value(truncatingIfNeeded: bytes[position + offset]) << (offset * 8) }
        position += size
        return value
    }

    mutating func readDouble() throws(ClassifierError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    /// `count` floats; refuses counts the remaining bytes cannot hold before allocating.
    mutating func readFloats(_ count: Int) throws(ClassifierError) -> [Float] {
        guard count >= 0, remaining / 4 >= count else { throw Self.truncated() }
        let start = position
        position += count * 4
        return bytes.withUnsafeBufferPointer { buffer in
            (0..<count).map { index in
                let base = start + index * 4
                let bits = UInt32(buffer[base]) | UInt32(buffer[base + 1]) << 8 | UInt32(buffer[base + 2]) << 16
                    | UInt32(buffer[base + 3]) << 24
                return Float(bitPattern: bits)
            }
        }
    }

    mutating func readHashes(_ count: Int) throws(ClassifierError) -> [UInt64] {
        guard count >= 0, remaining / 8 >= count else { throw Self.truncated() }
        var hashes: [UInt64] = []
        hashes.reserveCapacity(count)
        for _ in 0..<count { hashes.append(try read(UInt64.self)) }
        return hashes
    }

    mutating func readString() throws(ClassifierError) -> String {
        let count = Int(try read(UInt32.self))
        guard remaining >= count else { throw Self.truncated() }
        let text = String(decoding: bytes[position..<position + count], as: UTF8.self)
        position += count
        return text
    }
}

/// FNV-1a over the bytes: catches truncation and bit rot in a stored model (not tampering).
func modelChecksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}
