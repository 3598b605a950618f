import Foundation

/// The encodings a message needs on its way out, the reverse of what the parser reads: 7-bit
/// lines of at most 78 characters that every relay and mail program accepts.
public enum MailEncoding {
    /// Base64 in lines of 76 characters, each ending in CRLF.
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        let encoded = Data(bytes).base64EncodedString()
        var lines = ""
        lines.reserveCapacity(encoded.utf8.count + encoded.utf8.count / 76 * 2 + 2)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines += encoded[index..<end]
            lines += "\r\n"
            index = end
        }
        return lines
    }

    /// Quoted-printable (RFC 2045 §6.7) of text as UTF-8: line breaks become CRLF, lines are
    /// broken softly before 76 characters, and spaces before a break are encoded so none is lost.
    public static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() {
            if number > 0 { out += [13, 10] }
            let bytes = Array(line.utf8)
            // `From ` at a line start is written encoded: mbox-minded relays would mangle it.
            let startsWithFrom = line.hasPrefix("From ")
            var column = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let guarded = index == 0 && startsWithFrom
                let piece: [UInt8] = literal && !guarded ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                if column + piece.count > 75 {
                    out += [UInt8(ascii: "="), 13, 10]
                    column = 0
                }
                out += piece
                column += piece.count
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether text can go in a header as it is: printable ASCII and spaces.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 32 && $0 <= 126) || $0 == 9 } && !text.contains("=?")
    }

    /// Unstructured header text (a subject): as it is when plain ASCII, otherwise RFC 2047 encoded
    /// words in UTF-8 base64, each at most 75 characters and never splitting a character.
    public static func headerText(_ text: String) -> String {
        isPlainHeaderText(text) ? text : encodedWords(text)
    }

    /// `=?UTF-8?B?…?=` words separated by a folding space.
    static func encodedWords(_ text: String) -> String {
        // 75 characters per word: `=?UTF-8?B?` and `?=` take 12, leaving 63 of base64, 45 bytes.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A mailbox for an address header: `Name <local@domain>`, the name quoted when it holds
    /// specials and encoded when it is not ASCII.
    public static func mailbox(_ mailbox: MailAddress) -> String {
        guard let name = mailbox.name?.trimmingSpace(), !name.isEmpty else { return "<\(mailbox.address)>" }
        let phrase: String
        if !isPlainHeaderText(name) {
            phrase = encodedWords(name)
        } else if name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0) }) {
            phrase = name
        } else {
            phrase = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "\(phrase) <\(mailbox.address)>"
    }

    /// A header field, folded before 78 characters where its value has spaces.
    public static func header(_ name: String, _ value: String) -> String {
        var out = ""
        var line = name + ":"
        // Encoded words are already folded; other values fold at their spaces.
        for (number, segment) in value.components(separatedBy: "\r\n ").enumerated() {
            if number > 0 {
                out += line + "\r\n"
                line = ""
            }
            for word in segment.split(separator: " ", omittingEmptySubsequences: false) {
                if line.utf8.count + 1 + word.utf8.count > 78, !line.trimmingSpace().isEmpty, line.utf8.count > name.utf8.count + 1 {
                    out += line + "\r\n"
                    line = ""
                }
                line += " " + word
            }
        }
        return out + line + "\r\n"
    }

    /// A `filename` (or `name`) parameter: quoted when plain ASCII and short, otherwise RFC 2231
    /// `filename*=UTF-8''…` percent-encoded, in numbered continuations (`filename*0*=…;
    /// filename*1*=…`) on lines of their own when long.
    public static func parameter(_ name: String, _ value: String) -> String {
        if isPlainHeaderText(value), !value.contains("\""), !value.contains("\\"), value.utf8.count <= 60 {
            return "\(name)=\"\(value)\""
        }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var pieces: [String] = []
        var piece: [UInt8] = []
        for byte in value.utf8 {
            let encoded = unreserved.contains(byte) ? [byte] : [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            if piece.count + encoded.count > 54 {
                pieces.append(String(decoding: piece, as: UTF8.self))
                piece = []
            }
            piece += encoded
        }
        pieces.append(String(decoding: piece, as: UTF8.self))
        if pieces.count == 1 { return "\(name)*=UTF-8''" + pieces[0] }
        return pieces.enumerated().map { index, text in
            "\(name)*\(index)*=" + (index == 0 ? "UTF-8''" : "") + text
        }.joined(separator: ";\r\n ")
    }
}

extension Timestamp {
    /// The date as mail headers write it (RFC 5322 §3.3), in UTC: `Thu, 03 Dec 2026 15:04:05 +0000`.
    public var rfc5322: String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(day)) \(months[Int(month) - 1]) \(year) \(two(second / 3_600)):\(two(second / 60 % 60)):\(two(second % 60)) +0000"
    }
}
