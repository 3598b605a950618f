/// RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in header text.
///
/// Whitespace between two adjacent encoded words is dropped; adjacent words in one charset are
/// joined as bytes before decoding, so a character split across two words (as some mailers do
/// with multi-byte charsets) survives. A word that does not parse is left as it is. Lenient
/// where real mail needs it: encoded words inside quoted strings and words without surrounding
/// whitespace are decoded too.
public enum EncodedWords {
    public static func decode(_ text: String) -> String {
        guard text.containsUTF8("=?") else { return text }
        let bytes = Array(text.utf8)
        var output = ""
        var literalStart = 0
        var index = 0
        // Bytes of the pending run of encoded words in one charset.
        var pending: (charset: String, bytes: [UInt8])?

        func flushPending() {
            if let run = pending {
                output += MailCharset.decode(run.bytes, label: run.charset).text
                pending = nil
            }
        }

        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
               let word = parseWord(bytes, from: index) {
                // Literal text between the previous encoded word and this one.
                let gap = literalStart..<index
                let gapIsWhitespace = bytes[gap].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
                if pending != nil, gapIsWhitespace {
                    // Dropped between adjacent encoded words.
                } else {
                    flushPending()
                    output += String(decoding: bytes[gap], as: UTF8.self)
                }
                if let run = pending, run.charset == word.charset {
                    pending!.bytes += word.bytes
                } else {
                    flushPending()
                    pending = (word.charset, word.bytes)
                }
                index = word.end
                literalStart = index
                continue
            }
            index += 1
        }
        flushPending()
        output += String(decoding: bytes[literalStart...], as: UTF8.self)
        return output
    }

    struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Int
    }

    /// The encoded word starting at `start` (at `=?`), or nil when it is not one.
    static func parseWord(_ bytes: [UInt8], from start: Int) -> Word? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "?") {
            let byte = bytes[index]
            if byte <= 0x20 || byte >= 0x7F || index - charsetStart > 40 { return nil }
            index += 1
        }
        guard index + 2 < bytes.count, index > charsetStart else { return nil }
        let charset = MailCharset.normalizedName(String(decoding: bytes[charsetStart..<index], as: UTF8.self))
        let encoding = bytes[index + 1] | 0x20
        guard bytes[index + 2] == UInt8(ascii: "?"), encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        index += 3
        let textStart = index
        // The text ends at `?=`; it contains no whitespace (some mailers put spaces in Q; allow them).
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            // RFC 2047 allows 75 characters a word; far longer is not one (and bounds the scan).
            if bytes[index] == 0x0A || bytes[index] == 0x0D || index - textStart > 2_000 { return nil }
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let text = bytes[textStart..<index]
        let decoded: [UInt8]
        if encoding == UInt8(ascii: "b") {
            guard let value = TransferEncoding.decodeBase64Strict(text) else { return nil }
            decoded = value
        } else {
            decoded = TransferEncoding.decodeQuotedPrintable(text, underscoreIsSpace: true)
        }
        return Word(charset: charset, bytes: decoded, end: index + 2)
    }
}
