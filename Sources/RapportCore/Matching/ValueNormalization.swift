import Foundation

/// How a value is cleaned before it is compared or used as a blocking key, so that differences
/// of case, accents, spacing and punctuation never count as disagreement.
public enum ValueNormalization: String, Sendable, Hashable, CaseIterable {
    /// Case folded, accents and width folded, punctuation dropped, dashes and runs of
    /// whitespace as one space. Scripts without case or spaces (Chinese) pass through.
    case text
    /// Trimmed and lower-cased.
    case email
    /// The digits with a leading `+`, as E.164 writes them.
    case phone
    /// An email when it holds an `@`, otherwise a phone.
    case contact
    /// The digits only, e.g. for identity numbers and postcodes.
    case digits
    /// A date as `yyyymmdd` when it reads as one (`1956-04-09`, `19560409`), otherwise its digits.
    case date

    /// The normalized form of `raw`, or nil when nothing is left.
    public func normalize(_ raw: String) -> String? {
        let result: String
        switch self {
        case .text: result = Self.text(raw)
        case .email: result = Self.email(raw)
        case .phone: result = Self.phone(raw)
        case .contact: result = raw.utf8.contains(UInt8(ascii: "@")) ? Self.email(raw) : Self.phone(raw)
        case .digits: result = Self.digits(raw)
        case .date: result = Self.date(raw)
        }
        return result.isEmpty ? nil : result
    }

    // Most values are plain ASCII and take byte-level paths that build the result in place:
    // a million customers are normalized when an index is built.

    private static func isASCII(_ raw: String) -> Bool {
        raw.utf8.allSatisfy { $0 < 0x80 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    private static func email(_ raw: String) -> String {
        guard isASCII(raw) else { return raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        return String(unsafeUninitializedCapacity: raw.utf8.count) { buffer in
            var count = 0
            for byte in raw.utf8 where byte > 0x20 {
                buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                count += 1
            }
            return count
        }
    }

    private static func phone(_ raw: String) -> String {
        let plus = raw.utf8.first { $0 != 0x20 && $0 != 0x09 } == UInt8(ascii: "+")
        return String(unsafeUninitializedCapacity: raw.utf8.count + 1) { buffer in
            var count = 0
            if plus {
                buffer[0] = UInt8(ascii: "+")
                count = 1
            }
            for byte in raw.utf8 where isDigit(byte) {
                buffer[count] = byte
                count += 1
            }
            return count == 1 && plus ? 0 : count
        }
    }

    private static func digits(_ raw: String) -> String {
        String(unsafeUninitializedCapacity: raw.utf8.count) { buffer in
            var count = 0
            for byte in raw.utf8 where isDigit(byte) {
                buffer[count] = byte
                count += 1
            }
            return count
        }
    }

    /// `yyyy-m-d` in any separators becomes `yyyymmdd`; anything else keeps its digits.
    private static func date(_ raw: String) -> String {
        var groups: [[UInt8]] = [[]]
        for byte in raw.utf8 {
            if isDigit(byte) {
                groups[groups.count - 1].append(byte)
            } else if !groups[groups.count - 1].isEmpty {
                groups.append([])
            }
        }
        if groups.last?.isEmpty == true { groups.removeLast() }
        if groups.count == 3, groups[0].count == 4, (1...2).contains(groups[1].count), (1...2).contains(groups[2].count) {
            let zero = UInt8(ascii: "0")
            let month = groups[1].count == 1 ? [zero] + groups[1] : groups[1]
            let day = groups[2].count == 1 ? [zero] + groups[2] : groups[2]
            return String(decoding: groups[0] + month + day, as: UTF8.self)
        }
        return String(decoding: groups.joined(), as: UTF8.self)
    }

    private static func text(_ raw: String) -> String {
        guard isASCII(raw) else { return foldedText(raw) }
        return String(unsafeUninitializedCapacity: raw.utf8.count) { buffer in
            var count = 0
            var pendingSpace = false
            for byte in raw.utf8 {
                var kept = byte
                switch byte {
                case 0x41...0x5A:
                    kept = byte + 0x20
                case 0x61...0x7A, 0x30...0x39:
                    break
                case 0x20, 0x09, 0x0A, 0x0D, 0x2D, 0x5F, 0x2F, 0x2C, 0x3B, 0x3A, 0x26, 0x2B:
                    pendingSpace = true
                    continue
                default:
                    continue
                }
                if pendingSpace && count > 0 {
                    buffer[count] = 0x20
                    count += 1
                }
                pendingSpace = false
                buffer[count] = kept
                count += 1
            }
            return count
        }
    }

    private static func foldedText(_ raw: String) -> String {
        let folded = raw.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.generalCategory == .decimalNumber {
                if pendingSpace && !scalars.isEmpty { scalars.append(" ") }
                pendingSpace = false
                scalars.append(scalar)
            } else if properties.isWhitespace || properties.generalCategory == .dashPunctuation
                        || properties.generalCategory == .connectorPunctuation || "/,;:&+".unicodeScalars.contains(scalar) {
                pendingSpace = true
            }
        }
        return String(scalars)
    }
}
