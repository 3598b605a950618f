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
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        let quoteStart = quoteStart(lines) ?? lines.count
        var body = Array(lines[..<quoteStart])
        let quoted = lines[quoteStart...].joined(separator: "\n").trimmingSpace()
        var signature = ""
        if let dashes = body.lastIndex(where: { $0 == "-- " || $0 == "--" || $0 == "—" }) {
            signature = body[(dashes + 1)...].joined(separator: "\n").trimmingSpace()
            body.removeSubrange(dashes...)
        } else if let last = body.lastIndex(where: { !$0.trimmingSpace().isEmpty }), isMobileFooter(body[last]) {
            signature = String(body[last]).trimmingSpace()
            body.removeSubrange(last...)
        }
        return ReplyText(new: body.joined(separator: "\n").trimmingSpace(), quoted: quoted, signature: signature)
    }

    private static func quoteStart(_ lines: [Substring]) -> Int? {
        for index in lines.indices {
            let line = String(lines[index]).trimmingSpace()
            if line.isEmpty { continue }
            if isSeparator(line) || isOutlookBlock(lines, at: index) { return index }
            if let end = attributionEnd(lines, at: index) {
                _ = end
                return index
            }
            if line.hasPrefix(">"), restIsQuoted(lines, from: index) {
                return index
            }
        }
        return nil
    }

    /// An attribution starting at `index`, possibly wrapped over up to three lines.
    private static func attributionEnd(_ lines: [Substring], at index: Int) -> Int? {
        let first = String(lines[index]).trimmingSpace()
        let starts = first.hasPrefix("On ") || first.hasPrefix("在") || first.hasPrefix("Le ") || first.hasPrefix("Am ")
            || first.hasPrefix("El ") || first.hasPrefix("Op ") || first.hasPrefix("Il ") || first.contains("于")
            || first.hasPrefix("20") || first.hasPrefix("« ")
        guard starts else { return nil }
        var joined = ""
        for offset in 0..<3 where index + offset < lines.count {
            joined += (offset > 0 ? " " : "") + String(lines[index + offset]).trimmingSpace()
            if isAttribution(joined) { return index + offset }
            if lines[index + offset].trimmingSpace().isEmpty { break }
        }
        return nil
    }

    private static func isAttribution(_ text: String) -> Bool {
        let endings = ["wrote:", "写道：", "写道:", "寫道：", "寫道:", "a écrit :", "a écrit:", "escribió:", "schreef:", "scritto:"]
        if endings.contains(where: { text.hasSuffix($0) }) { return true }
        if text.hasPrefix("Am "), text.contains("schrieb"), text.hasSuffix(":") { return true }
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
        let line = String(lines[index]).trimmingSpace().replacingFullWidthColon()
        let fromLabels = ["From:", "*From:*", "发件人:", "寄件者:", "De :", "Von:"]
        guard fromLabels.contains(where: { line.hasPrefix($0) }) else { return false }
        let nextLabels = ["Sent:", "*Sent:*", "Date:", "*Date:*", "发送时间:", "日期:", "寄件日期:", "Envoyé :", "Gesendet:", "To:", "收件人:"]
        for offset in 1...4 where index + offset < lines.count {
            let next = String(lines[index + offset]).trimmingSpace().replacingFullWidthColon()
            if nextLabels.contains(where: { next.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// Whether every non-blank line from `index` on is `>`-quoted (a trailing quote block).
    private static func restIsQuoted(_ lines: [Substring], from index: Int) -> Bool {
        lines[index...].allSatisfy { line in
            let trimmed = line.trimmingSpace()
            return trimmed.isEmpty || trimmed.hasPrefix(">")
        }
    }

    private static func isMobileFooter(_ line: Substring) -> Bool {
        let text = line.trimmingSpace().lowercased()
        return ["sent from my iphone", "sent from my ipad", "sent from my android", "sent from my samsung", "sent from my mobile",
                "get outlook for ios", "get outlook for android", "sent from mail for windows", "发自我的iphone", "发自我的ipad",
                "发自我的手机", "来自我的华为手机", "从我的iphone发送", "iphoneから送信"]
            .contains { text.hasPrefix($0) }
    }
}

extension StringProtocol {
    func trimmingSpace() -> String { String(self).trimmingSpace() }

    func trimmingCharacters(_ characters: Set<Character>) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view = view.dropFirst() }
        while let last = view.last, characters.contains(last) { view = view.dropLast() }
        return String(view)
    }

    func replacingFullWidthColon() -> String {
        String(self).replacing("：", with: ":")
    }
}
