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
        scalar.properties.isWhitespace || scalar == "\u{FEFF}" || scalar == "\u{200B}"
    }

    /// Whether `text` holds a control, invisible formatting, or line/paragraph separator character.
    ///
    /// Invisible characters would let two identities look the same and compare different.
    static func containsControlCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate:
                true
            default:
                false
            }
        }
    }

    /// Whether `text` holds any Unicode whitespace.
    static func containsWhitespace(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// `text` in Unicode normalization form C, so that canonically equal strings are equal byte for byte.
    static func composed(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }
}
