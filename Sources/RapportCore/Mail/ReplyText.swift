/// Separates what a person wrote in a message from the history their mail program quoted
/// under it and from their signature, so the timeline shows the new words.
///
/// Quoted history starts at an attribution line (`On … wrote:`, `在 … 写道：`, `Le … a écrit :`,
/// `Am … schrieb …:`), a separator (`-----Original Message-----`, Foxmail's `原始邮件`), an
/// Outlook header block (`From:` followed by `Sent:`/`Date:`, also in Chinese), or a block of
/// `>` lines that runs to the end. A signature starts at `-- ` (or `--`) or is a mobile footer
/// (`Sent from my iPhone`, `发自我的iPhone`).
public struct ReplyText: Sendable, Equatable {
    public var new: String
    public var quoted: String
    public var signature: String

    public init(new: String, quoted: String, signature: String) {
        self.new = new
        self.quoted = quoted
        self.signature = signature
    }

    public static func split(_ text: String) -> ReplyText {
        // Lines split and trimmed on UTF-8 bytes: cheap, and CR LF is not one character there.
        let utf8 = text.utf8
        var lines: [Substring] = []
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: 0x0A) ?? utf8.endIndex
            var lineEnd = end
            if lineEnd > start, utf8[utf8.index(before: lineEnd)] == 0x0D { lineEnd = utf8.index(before: lineEnd) }
            lines.append(Substring(utf8[start..<lineEnd]))
            guard end < utf8.endIndex else { break }
            start = utf8.index(after: end)
        }
        let trimmed = lines.map { trimmedLine($0) }
        let quoteStart = quoteStart(trimmed) ?? lines.count
        var body = Array(lines[..<quoteStart])
        let quoted = lines[quoteStart...].joined(separator: "\n").trimmingSpace()
        var signature = ""
        if let dashes = body.lastIndex(where: { $0 == "-- " || $0 == "--" || $0 == "—" }) {
            signature = body[(dashes + 1)...].joined(separator: "\n").trimmingSpace()
            body.removeSubrange(dashes...)
        } else if let last = body.indices.last(where: { !trimmed[$0].isEmpty }), isMobileFooter(trimmed[last]) {
            signature = String(trimmed[last])
            body.removeSubrange(last...)
        }
        return ReplyText(new: body.joined(separator: "\n").trimmingSpace(), quoted: quoted, signature: signature)
    }

    /// A line without leading and trailing spaces and tabs.
    private static func trimmedLine(_ line: Substring) -> Substring {
        let utf8 = line.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == 0x20 || utf8[utf8.index(before: end)] == 0x09 { end = utf8.index(before: end) }
        return Substring(utf8[start..<end])
    }

    private static func quoteStart(_ lines: [Substring]) -> Int? {
        // quotedToEnd[i]: every non-blank line from i on is `>`-quoted (one pass from the end).
        var quotedToEnd = [Bool](repeating: true, count: lines.count + 1)
        for index in lines.indices.reversed() {
            quotedToEnd[index] = quotedToEnd[index + 1] && (lines[index].isEmpty || lines[index].utf8.first == UInt8(ascii: ">"))
        }
        for index in lines.indices {
            guard let first = lines[index].utf8.first else { continue }
            // Each pattern starts with one of a few bytes: look closer only at those lines.
            switch first {
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="), 0xE2:
                if isSeparator(String(lines[index])) { return index }
            case UInt8(ascii: ">"):
                if quotedToEnd[index] { return index }
            default:
                break
            }
            if first == UInt8(ascii: "F") || first == UInt8(ascii: "*") || first == UInt8(ascii: "D") || first == UInt8(ascii: "V")
                || first >= 0xE5, isOutlookBlock(lines, at: index) {
                return index
            }
            if isAttribution(lines, at: index) { return index }
        }
        return nil
    }

    /// Whether an attribution starts at `index`, possibly wrapped over up to three lines.
    private static func isAttribution(_ lines: [Substring], at index: Int) -> Bool {
        let first = lines[index]
        // Cheap first: an ASCII line starts with one of these letters, or it is none.
        if let byte = first.utf8.first, byte < 0x80, !attributionInitials.contains(byte), !first.utf8.contains(where: { $0 >= 0x80 }) {
            return false
        }
        let starts = first.hasPrefix("On ") || first.hasPrefix("在") || first.hasPrefix("Le ") || first.hasPrefix("Am ")
            || first.hasPrefix("El ") || first.hasPrefix("Op ") || first.hasPrefix("Il ") || first.hasPrefix("20") || first.hasPrefix("« ")
            || (first.utf8.contains { $0 >= 0x80 } && first.unicodeScalars.contains("于"))
        guard starts else { return false }
        var joined = ""
        for offset in 0..<3 where index + offset < lines.count {
            joined += (offset > 0 ? " " : "") + lines[index + offset]
            if isAttribution(joined) { return true }
            if lines[index + offset].isEmpty { break }
        }
        return false
    }

    private static let attributionInitials: Set<UInt8> = Set("OLAEI2".utf8)

    private static func isAttribution(_ text: String) -> Bool {
        let endings = ["wrote:", "写道：", "写道:", "寫道：", "寫道:", "a écrit :", "a écrit:", "escribió:", "schreef:", "scritto:"]
        if endings.contains(where: { text.hasSuffix($0) }) { return true }
        if text.hasPrefix("Am "), text.containsUTF8("schrieb"), text.hasSuffix(":") { return true }
        return false
    }

    private static func isSeparator(_ line: String) -> Bool {
        guard line.hasPrefix("-") || line.hasPrefix("_") || line.hasPrefix("=") || line.hasPrefix("—") else { return false }
        let inner = line.trimmingCharacters(["-", "_", "=", " ", "—"]).lowercased()
        return ["original message", "original", "原始邮件", "原始郵件", "forwarded message", "转发邮件", "ursprüngliche nachricht",
                "message d'origine", "mensaje original", "reply message", "回复的原邮件"].contains(inner)
    }

    /// `From: … ` then `Sent:` / `Date:` (or their Chinese forms) within the next lines.
    private static func isOutlookBlock(_ lines: [Substring], at index: Int) -> Bool {
        let line = lines[index].replacingFullWidthColon()
        let fromLabels = ["From:", "*From:*", "发件人:", "寄件者:", "De :", "Von:"]
        guard fromLabels.contains(where: { line.hasPrefix($0) }) else { return false }
        let nextLabels = ["Sent:", "*Sent:*", "Date:", "*Date:*", "发送时间:", "日期:", "寄件日期:", "Envoyé :", "Gesendet:", "To:", "收件人:"]
        for offset in 1...4 where index + offset < lines.count {
            let next = lines[index + offset].replacingFullWidthColon()
            if nextLabels.contains(where: { next.hasPrefix($0) }) { return true }
        }
        return false
    }

    private static func isMobileFooter(_ line: Substring) -> Bool {
        let text = line.lowercased()
        return ["sent from my iphone", "sent from my ipad", "sent from my android", "sent from my samsung", "sent from my mobile",
                "get outlook for ios", "get outlook for android", "sent from mail for windows", "发自我的iphone", "发自我的ipad",
                "发自我的手机", "来自我的华为手机", "从我的iphone发送", "iphoneから送信"]
            .contains { text.hasPrefix($0) }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks.
    public func trimmingSpace() -> String { String(self).trimmingSpace() }

    func trimmingCharacters(_ characters: Set<Character>) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }

    func replacingFullWidthColon() -> String {
        guard unicodeScalars.contains("：") else { return String(self) }
        return String(self).replacing("：", with: ":")
    }
}
