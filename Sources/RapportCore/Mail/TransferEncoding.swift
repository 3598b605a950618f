/// Content-Transfer-Encoding decoders (RFC 2045 §6): base64 and quoted-printable, lenient the
/// way mail needs, and reporting when the input was not what it claimed to be.
public enum TransferEncoding {
    public struct Decoded: Sendable, Equatable {
        public var bytes: [UInt8]
        /// Characters outside the encoding's alphabet were skipped, or the input ended mid-quantum.
        public var damaged: Bool

        public init(bytes: [UInt8], damaged: Bool) {
            self.bytes = bytes
            self.damaged = damaged
        }
    }

    /// Decodes a body by its `Content-Transfer-Encoding` (lowercased); 7bit, 8bit, binary and
    /// unknown encodings pass the bytes through.
    public static func decode(_ body: ArraySlice<UInt8>, encoding: String) -> Decoded {
        switch encoding {
        case "base64": return decodeBase64(body)
        case "quoted-printable": return Decoded(bytes: decodeQuotedPrintable(body, underscoreIsSpace: false), damaged: false)
        default: return Decoded(bytes: Array(body), damaged: false)
        }
    }

    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        // base64url's alphabet, which some senders use by mistake.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Base64, skipping line breaks and whitespace; other characters outside the alphabet are
    /// skipped and reported; decoding stops at padding.
    public static func decodeBase64(_ input: ArraySlice<UInt8>) -> Decoded {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var damaged = false
        var quantum: UInt32 = 0
        var count = 0
        var ended = false
        input.withContiguousStorageIfAvailable { buffer in
            for byte in buffer {
                let value = base64Values[Int(byte)]
                if value == 0xFF {
                    if byte == UInt8(ascii: "=") { ended = true; continue }
                    if byte == 0x0D || byte == 0x0A || byte == 0x20 || byte == 0x09 { continue }
                    damaged = true
                    continue
                }
                if ended {
                    // Data after padding: a second base64 stream glued on; keep decoding it.
                    if count != 0 { damaged = true }
                    ended = false
                }
                quantum = quantum << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    output.append(UInt8(truncatingIfNeeded: quantum >> 16))
                    output.append(UInt8(truncatingIfNeeded: quantum >> 8))
                    output.append(UInt8(truncatingIfNeeded: quantum))
                    quantum = 0
                    count = 0
                }
            }
        }
        switch count {
        case 2: output.append(UInt8(truncatingIfNeeded: quantum >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: quantum >> 10))
            output.append(UInt8(truncatingIfNeeded: quantum >> 2))
        case 1: damaged = true
        default: break
        }
        if count != 0, !ended { damaged = true }
        return Decoded(bytes: output, damaged: damaged)
    }

    /// Base64 in an encoded word: nil when it is not valid base64 at all.
    static func decodeBase64Strict(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        let decoded = decodeBase64(input)
        if decoded.damaged, decoded.bytes.isEmpty { return nil }
        return decoded.bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Quoted-printable: `=XX` escapes, `=` at the end of a line joins it to the next (soft
    /// break); an `=` not followed by two hex digits is kept as it is. In encoded words `_` is a space.
    public static func decodeQuotedPrintable(_ input: ArraySlice<UInt8>, underscoreIsSpace: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        let end = input.endIndex
        while index < end {
            let byte = input[index]
            if byte == UInt8(ascii: "=") {
                let next = index + 1
                if next < end, input[next] == 0x0A { index = next + 1; continue }
                if next + 1 < end, input[next] == 0x0D, input[next + 1] == 0x0A { index = next + 2; continue }
                if next + 1 < end, let high = hexValue(input[next]), let low = hexValue(input[next + 1]) {
                    output.append(high << 4 | low)
                    index = next + 2
                    continue
                }
                // Soft break with trailing whitespace after the `=` (seen in the wild).
                var probe = next
                while probe < end, input[probe] == 0x20 || input[probe] == 0x09 { probe += 1 }
                if probe > next, probe < end, input[probe] == 0x0D || input[probe] == 0x0A {
                    index = input[probe] == 0x0D && probe + 1 < end && input[probe + 1] == 0x0A ? probe + 2 : probe + 1
                    continue
                }
                if next == end { index = end; continue }  // `=` at the very end: a soft break
                output.append(byte)
                index = next
            } else if underscoreIsSpace, byte == UInt8(ascii: "_") {
                output.append(0x20)
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
