import Foundation
import Synchronization

/// Time-sortable record identifier: a prefix, an underscore and a 26-character Crockford base32 ULID (48-bit milliseconds + 80 random bits), e.g. "cus_01JD3…".
public enum RecordID {
    /// A new identifier with `prefix` from the shared, process-wide generator.
    public static func next(prefix: String) -> String {
        RecordIDGenerator.shared.next(prefix: prefix)
    }
}

/// Makes record identifiers that strictly increase, as strings, within the process.
public final class RecordIDGenerator: Sendable {
    /// The process-wide generator on the system clock.
    public static let shared = RecordIDGenerator()

    private struct State {
        var milliseconds: Int64 = -1
        var random: UInt128 = 0
    }

    private static let maxMilliseconds: Int64 = (1 << 48) - 1
    private static let randomMask: UInt128 = (1 << 80) - 1

    private let clock: @Sendable () -> Int64
    private let state = Mutex(State())

    /// Creates a generator that reads Unix milliseconds from `clock`; tests pass a frozen clock.
    public init(clock: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }) {
        self.clock = clock
    }

    /// A new identifier `prefix_<ULID>`, greater than every identifier this generator made before.
    public func next(prefix: String) -> String {
        let now = min(max(clock(), 0), Self.maxMilliseconds)
        let value = state.withLock { state -> UInt128 in
            if now > state.milliseconds {
                state.milliseconds = now
                state.random = Self.freshRandom()
            } else if state.random < Self.randomMask {
                // Same millisecond, or the clock stepped back: stay on the last time and count up.
                state.random += 1
            } else {
                // 2^80 ids in one millisecond cannot happen in practice; move to the next one anyway.
                state.milliseconds = min(state.milliseconds + 1, Self.maxMilliseconds)
                state.random = Self.freshRandom()
            }
            return UInt128(state.milliseconds) << 80 | state.random
        }
        return RecordIDFormat.encode(value, prefix: prefix)
    }

    private static func freshRandom() -> UInt128 {
        var generator = SystemRandomNumberGenerator()
        let high = UInt128(generator.next() as UInt64) << 64
        let low = UInt128(generator.next() as UInt64)
        return (high | low) & randomMask
    }
}

/// Checks and reads the text form of record identifiers.
public enum RecordIDFormat {
    /// Crockford's base32 digits: no I, L, O or U, so ids survive being read aloud or retyped.
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let bodyLength = 26

    /// Digit value of each ASCII byte, or -1 when the byte is not an uppercase Crockford digit.
    private static let digitValues: [Int8] = {
        var values = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphabet.enumerated() {
            values[Int(byte)] = Int8(value)
        }
        return values
    }()

    /// True when `id` is prefix + "_" + 26 Crockford base32 chars (uppercase 0-9A-Z without I, L, O, U), first char 0-7.
    public static func isValid(_ id: String, prefix: String) -> Bool {
        decode(id, prefix: prefix) != nil
    }

    /// Unix milliseconds stored in the first ten characters of a valid id, or nil when `id` is not valid.
    public static func milliseconds(of id: String, prefix: String) -> Int64? {
        guard let value = decode(id, prefix: prefix) else { return nil }
        return Int64(value >> 80)
    }

    static func encode(_ value: UInt128, prefix: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefix.utf8.count + 1 + bodyLength)
        bytes.append(contentsOf: prefix.utf8)
        bytes.append(UInt8(ascii: "_"))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: bodyLength))
        var rest = value
        for position in stride(from: start + bodyLength - 1, through: start, by: -1) {
            bytes[position] = alphabet[Int(rest & 31)]
            rest >>= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 128-bit ULID in `id`, or nil when `id` is not `prefix_` followed by a well-formed ULID.
    private static func decode(_ id: String, prefix: String) -> UInt128? {
        let idBytes = Array(id.utf8)
        let prefixBytes = prefix.utf8
        guard idBytes.count == prefixBytes.count + 1 + bodyLength,
              idBytes.starts(with: prefixBytes),
              idBytes[prefixBytes.count] == UInt8(ascii: "_")
        else { return nil }
        let bodyStart = prefixBytes.count + 1
        // 26 digits hold 130 bits; the first digit may only use the low 3 so the value fits 128.
        guard idBytes[bodyStart] <= UInt8(ascii: "7") else { return nil }
        var value: UInt128 = 0
        for byte in idBytes[bodyStart...] {
            guard byte < 128 else { return nil }
            let digit = digitValues[Int(byte)]
            guard digit >= 0 else { return nil }
            value = value << 5 | UInt128(digit)
        }
        return value
    }
}
