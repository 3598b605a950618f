import Foundation

/// Text checks shared by the identity normalizers.
enum IdentityText {
    /// `raw` without surrounding whitespace, newlines and byte order marks (CSV exports often start with one).
    static func trimmed(_ raw: String) -> Substring {
        var text = Substring(raw)
        while let first = text.unicodeScalars.first, isTrimmable(first) { text.unicodeScalars.removeFirst() }
        while let last = text.unicodeScalars.last, isTrimmable(last) { text.unicodeScalars.removeLast() }
        return text
    }

    private static func isTrimmable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value > 0x20, scalar.value < 0x7F { return false }
        return scalar.properties.isWhitespace || scalar == "\u{FEFF}" || scalar == "\u{200B}"
    }

    /// Whether `text` holds a control, invisible formatting, or line/paragraph separator character.
    ///
    /// Invisible characters would let two identities look the same and compare different.
    static func containsControlCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { scalar in
            // Printable ASCII is neither, without a lookup in Unicode's tables.
            if scalar.value >= 0x20, scalar.value < 0x7F { return false }
            return switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate:
                true
            default:
                false
            }
        }
    }

    /// Whether `text` holds any Unicode whitespace.
    static func containsWhitespace(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { scalar in
            if scalar.value > 0x20, scalar.value < 0x7F { return false }
            return scalar.properties.isWhitespace
        }
    }

    /// `text` in Unicode normalization form C, so that canonically equal strings are equal byte for byte.
    static func composed(_ text: String) -> String {
        // ASCII is its own normal form.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return text.precomposedStringWithCanonicalMapping
    }
}
