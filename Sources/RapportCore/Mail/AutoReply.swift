/// Recognises automatic replies (out-of-office, autoresponders) so they do not reopen
/// conversations or count as the customer writing: RFC 3834 `Auto-Submitted`, the headers
/// common autoresponders add, and the subjects Exchange and others use.
public enum AutoReply {
    public static func isAutomatic(headers: MailHeaders, subject: String?) -> Bool {
        if let value = headers["Auto-Submitted"]?.trimmingSpace().lowercased(), !value.isEmpty, !value.hasPrefix("no") { return true }
        if headers.contains("X-Autoreply") || headers.contains("X-Autorespond") || headers.contains("X-Autoresponder") { return true }
        if let precedence = (headers["Precedence"] ?? headers["X-Precedence"])?.trimmingSpace().lowercased(), precedence == "auto_reply" {
            return true
        }
        if headers["X-Auto-Response-Suppress"] != nil || headers["X-MS-Exchange-Inbox-Rules-Loop"] != nil,
           let subject, hasAutomaticSubject(subject) {
            return true
        }
        if let subject, hasAutomaticSubject(subject), headers["In-Reply-To"] != nil || headers["X-MS-Exchange-Inbox-Rules-Loop"] != nil {
            return true
        }
        return false
    }

    static func hasAutomaticSubject(_ subject: String) -> Bool {
        let lowered = subject.lowercased()
        return ["automatic reply:", "auto reply:", "autoreply:", "auto:", "out of office", "自动回复", "自動回覆", "自動応答",
                "abwesenheitsnotiz", "réponse automatique"].contains { lowered.hasPrefix($0) }
    }
}
