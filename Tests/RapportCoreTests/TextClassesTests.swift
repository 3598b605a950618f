import RapportCore
import Testing

/// `containsControlCharacters` and `hasVisibleCharacters` answer without Unicode's tables where
/// they can; they must still say what the tables say.
@Suite("Control and visible characters")
struct TextClassesTests {
    /// The planes where control, format and white-space characters are, and the rest of the
    /// first two planes around them.
    static let scalars: [Unicode.Scalar] = (Array(0...0x2_FFFF) + Array(0xE_0000...0xE_0FFF)).compactMap(Unicode.Scalar.init)

    @Test("a control character other than tab, line feed and carriage return is what Unicode calls a control")
    func controls() {
        var disagreements: [UInt32] = []
        for scalar in Self.scalars {
            let expected = scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t" && scalar != "\r"
            if String(scalar).containsControlCharacters != expected { disagreements.append(scalar.value) }
        }
        #expect(disagreements.isEmpty, "disagree with Unicode at \(disagreements.prefix(10).map { String($0, radix: 16) })")
        #expect("Hello,\tworld\r\n".containsControlCharacters == false)
        #expect("bell\u{7}".containsControlCharacters)
        #expect("next line\u{85}".containsControlCharacters)
        // Read in UTF-8: a control after a character of two or three bytes, and characters whose
        // encodings hold 0xC2 or 0x80–0x9F without being C1 controls.
        #expect("é\u{9F}".containsControlCharacters && "中\u{80}x".containsControlCharacters)
        #expect(!"\u{C2}\u{A0}Â€ 中文 \u{2028} é".containsControlCharacters)
    }

    @Test("a visible character is one that is neither white space nor a control")
    func visible() {
        var disagreements: [UInt32] = []
        for scalar in Self.scalars {
            let expected = !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
            if String(scalar).hasVisibleCharacters != expected { disagreements.append(scalar.value) }
        }
        #expect(disagreements.isEmpty, "disagree with Unicode at \(disagreements.prefix(10).map { String($0, radix: 16) })")
        #expect(" \u{3000}\t\n".hasVisibleCharacters == false)
        #expect("  x ".hasVisibleCharacters)
    }
}
