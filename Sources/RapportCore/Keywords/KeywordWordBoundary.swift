/// Which normalized scalars form words for whole-word keyword matching.
///
/// A word character is a letter, a combining mark or a number, except in the scripts of
/// Chinese, Japanese and Korean: text in those is matched as substrings, so their characters
/// are never part of a word and never need a boundary. Spaces, punctuation (including `_`) and
/// symbols separate words, as do the start and end of the text.
enum KeywordWordBoundary {
    /// ASCII word characters: letters and digits.
    private static let asciiWord: [Bool] = (0..<128).map { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// Whether the scalar with this value is a word character.
    static func isWord(_ value: UInt32) -> Bool {
        if value < 0x80 { return asciiWord[Int(value)] }
        guard let scalar = Unicode.Scalar(value), !isSubstringScript(value) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Han ideographs, kana and Hangul (with their radicals, marks and compatibility blocks).
    static func isSubstringScript(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x11FF,      // Hangul jamo
             0x2E80...0x2FDF,      // CJK and Kangxi radicals
             0x3005...0x3007,      // 々 〆 〇
             0x3021...0x3029,      // Hangzhou numerals
             0x3031...0x3035,      // kana repeat marks
             0x3040...0x30FF,      // hiragana, katakana (with the voicing marks)
             0x3100...0x318F,      // bopomofo, Hangul compatibility jamo
             0x31A0...0x31FF,      // bopomofo extended, CJK strokes, katakana extensions
             0x3400...0x4DBF,      // CJK extension A
             0x4E00...0x9FFF,      // CJK unified ideographs
             0xA960...0xA97F,      // Hangul jamo extended A
             0xAC00...0xD7FF,      // Hangul syllables, jamo extended B
             0xF900...0xFAFF,      // CJK compatibility ideographs
             0xFF66...0xFFDC,      // half-width katakana and Hangul (normalized away before matching)
             0x1B000...0x1B16F,    // kana supplement and extended
             0x20000...0x3FFFF:    // CJK extensions B and later
            return true
        default:
            return false
        }
    }
}
