/// A mailbox from an address header: `Ana Lima <ana@example.com>`.
public struct MailAddress: Sendable, Equatable {
    /// The display name, decoded (RFC 2047), or nil.
    public var name: String?
    /// The address as written (`local@domain`), without angle brackets.
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// The mailboxes of an address list (`From`, `To`, `Cc`, `Reply-To`): display names, quoted
    /// strings, comments and groups (`team: a@x, b@y;`) as RFC 5322 has them, lenient where mail
    /// is not (unquoted commas in names before an angle address, encoded words in quotes).
    public static func list(_ text: String) -> [MailAddress] {
        var result: [MailAddress] = []
        var phrase = ""           // display name text so far
        var bare = ""             // text outside angle brackets, for a bare address
        var angle: String?        // text inside <>
        var commentText = ""      // `(Ana Lima)` after a bare address names it
        var quotedPhrase = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return scalars.next()
        }
        func finish() {
            let address = (angle ?? bare).trimmingSpace()
            if address.contains("@") || !address.isEmpty && angle != nil {
                var name = (angle != nil ? phrase : "").trimmingSpace()
                if name.isEmpty, !commentText.isEmpty { name = commentText.trimmingSpace() }
                let decoded = EncodedWords.decode(name).trimmingSpace()
                result.append(MailAddress(name: decoded.isEmpty ? nil : decoded, address: address.removingSpaces()))
            }
            phrase = ""; bare = ""; angle = nil; commentText = ""; quotedPhrase = false
        }

        while let scalar = next() {
            switch scalar {
            case "\"":
                quotedPhrase = true
                while let inner = next(), inner != "\"" {
                    if inner == "\\", let escaped = next() {
                        phrase.unicodeScalars.append(escaped)
                        bare.unicodeScalars.append(escaped)
                    } else {
                        phrase.unicodeScalars.append(inner)
                        bare.unicodeScalars.append(inner)
                    }
                }
            case "(":
                var depth = 1
                var comment = ""
                while depth > 0, let inner = next() {
                    if inner == "(" { depth += 1 } else if inner == ")" { depth -= 1; if depth == 0 { break } }
                    if inner == "\\", let escaped = next() { comment.unicodeScalars.append(escaped); continue }
                    comment.unicodeScalars.append(inner)
                }
                commentText += comment
            case "<":
                var inside = ""
                while let inner = next(), inner != ">" { inside.unicodeScalars.append(inner) }
                angle = inside
            case ":":
                // A group's name: what came before is not a mailbox.
                if angle == nil, !bare.contains("@") { phrase = ""; bare = ""; commentText = "" }
                else { phrase.unicodeScalars.append(scalar); bare.unicodeScalars.append(scalar) }
            case ";":
                finish()
            case ",":
                // A comma inside an unquoted display name (`Lima, Ana <ana@x>`) is not a separator
                // when an angle address follows before the next comma.
                if angle == nil, !bare.contains("@"), !quotedPhrase, !phrase.trimmingSpace().isEmpty {
                    phrase.unicodeScalars.append(scalar)
                    bare.unicodeScalars.append(scalar)
                } else {
                    finish()
                }
            default:
                if angle == nil {
                    phrase.unicodeScalars.append(scalar)
                    bare.unicodeScalars.append(scalar)
                }
            }
        }
        finish()
        return result
    }
}

extension String {
    func removingSpaces() -> String {
        String(String.UnicodeScalarView(unicodeScalars.filter { $0 != " " && $0 != "\t" && $0 != "\r" && $0 != "\n" }))
    }
}

/// Message ids in `Message-ID`, `In-Reply-To` and `References`: the `<...>` tokens, without the
/// brackets; where a sender left the brackets out, the words that contain `@`.
public enum MessageIDs {
    public static func list(_ text: String) -> [String] {
        var ids: [String] = []
        var current: String?
        var depth = 0
        for scalar in text.unicodeScalars {
            if depth > 0 {
                if scalar == "(" { depth += 1 } else if scalar == ")" { depth -= 1 }
                continue
            }
            switch scalar {
            case "(" where current == nil: depth = 1
            case "<": current = ""
            case ">":
                if let id = current?.removingSpaces(), !id.isEmpty { ids.append(id) }
                current = nil
            default: current?.unicodeScalars.append(scalar)
            }
        }
        if ids.isEmpty {
            ids = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
                .map(String.init).filter { $0.contains("@") && $0.count <= 998 }
        }
        return ids
    }

    public static func first(_ text: String?) -> String? {
        text.flatMap { list($0).first }
    }
}
