import Foundation

/// The text of a message folded to the form features are taken from: Unicode compatibility
/// normalisation (NFKC: full-width `ＡＢＣ１２３` becomes `ABC123`, `，` becomes `,`) and lower case.
enum MessageText {
    /// Appends the normalised Unicode scalar values of `text` to `scalars` (after emptying it).
    static func normalizedScalars(_ text: String, into scalars: inout [UInt32]) {
        scalars.removeAll(keepingCapacity: true)
        var isASCII = true
        for byte in text.utf8 where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII {
            // Most messages in Latin scripts: NFKC changes nothing and case folding is a table-free shift.
            for byte in text.utf8 {
                scalars.append(UInt32(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte))
            }
        } else {
            // Lower-casing can produce characters NFKC would change again, so fold last and normalise once more.
            let folded = text.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping
            for scalar in folded.unicodeScalars {
                scalars.append(scalar.value)
            }
        }
    }

    /// Whether the scalar separates the chunks character n-grams are taken from.
    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return Unicode.Scalar(value)?.properties.isWhitespace ?? false
    }

    /// Whether the scalar belongs to a word: letters (including Chinese characters), digits,
    /// combining marks and the underscore.
    @inline(__always)
    static func isWordCharacter(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                || value == 0x5F
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
        default: return false
        }
    }
}
