/// A reply: a code, an enhanced status code (RFC 3463) and text, one line or several.
struct SMTPReply: Equatable {
    var code: Int
    var lines: [String]

    init(_ code: Int, _ lines: String...) {
        self.code = code
        self.lines = lines
    }

    init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The reply as sent: `250-first`, …, `250 last`, each ending in CRLF.
    var wire: String {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }
        return text
    }

    var isPositive: Bool { code < 400 }
}

extension SMTPReply {
    /// The reply's lines as one text, for logs and the message's status.
    var text: String { lines.joined(separator: " ") }
}
