/// The email that brings a user the unread part of their inbox: a line per notification (what,
/// who, about which customer, a link into the console), newest first. What a department's private
/// note says is never in it: mail leaves Rapport, and is kept in its outbox, where people of
/// other departments may read mail.
public enum NotificationDigest {
    /// One notification as the digest tells it.
    public struct Line: Sendable, Equatable {
        public var notification: UserNotification
        public var customerName: String?
        /// False for a notification about a department's private note: its excerpt stays out.
        public var mayQuote: Bool

        public init(notification: UserNotification, customerName: String?, mayQuote: Bool) {
            self.notification = notification
            self.customerName = customerName
            self.mayQuote = mayQuote
        }
    }

    /// At most this many lines; the rest are counted.
    public static let maxLines = 50

    public static func mail(to recipient: MailAddress, lines: [Line], unread: Int, from: MailAddress, consoleURL: String?,
                            messageID: String, date: Timestamp) -> OutgoingMail {
        let shown = Array(lines.prefix(maxLines))
        let subject = unread == 1 ? "Rapport: 1 unread notification" : "Rapport: \(unread) unread notifications"
        var text = "Hello \(recipient.name ?? recipient.address),\n\n"
        text += unread == 1 ? "You have 1 unread notification in Rapport:\n" : "You have \(unread) unread notifications in Rapport:\n"
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
        html += "<p>" + HTMLEscaping.escape("Hello \(recipient.name ?? recipient.address),") + "</p>\n<ul>\n"
        for line in shown {
            let said = sentence(line)
            let address = consoleURL.map { Self.link(to: line.notification, in: $0) }
            text += "\n- " + said + "\n"
            if let address { text += "  " + address + "\n" }
            html += "<li>" + HTMLEscaping.escape(said)
            if let address { html += " <a href=\"" + HTMLEscaping.escape(address) + "\">Open</a>" }
            html += "</li>\n"
        }
        html += "</ul>\n"
        if unread > shown.count {
            let rest = "…and \(unread - shown.count) more in your inbox."
            text += "\n" + rest + "\n"
            html += "<p>" + HTMLEscaping.escape(rest) + "</p>\n"
        }
        let footer = "You get this digest because you asked for it; change how often under Notifications, Preferences."
        text += "\n" + footer + "\n"
        html += "<p style=\"color:#666\">" + HTMLEscaping.escape(footer) + "</p>\n</body></html>\n"
        return OutgoingMail(from: from, to: [recipient], subject: subject, text: text, html: html, messageID: messageID, date: date)
    }

    /// "Ana Lima mentioned you on Mia Chen: “Could you call…”".
    static func sentence(_ line: Line) -> String {
        let notification = line.notification
        let who = notification.actorName ?? (notification.actor.kind == .system ? "Rapport" : "Someone")
        let what: String
        switch notification.kind {
        case .mention: what = notification.via.map { "\(who) mentioned \($0.name)" } ?? "\(who) mentioned you"
        case .noteOnFollowed: what = "\(who) wrote a note"
        case .replyOnFollowed: what = "The customer wrote"
        case .rule: what = "A routing rule asks for your attention"
        case .assignment: what = "\(who) gave you a task"
        case .taskDue: what = "A task's reminder"
        case .taskOverdue: what = "A task is overdue"
        case .handoff: what = "\(who) sent a handoff"
        case .handoffEscalated: what = "A handoff's time to answer passed"
        }
        var sentence = what
        if let name = line.customerName { sentence += " on \(name)" }
        let excerpt = notification.excerpt.trimmingSpace()
        if line.mayQuote, !excerpt.isEmpty { sentence += ": “\(excerpt)”" }
        return sentence
    }

    /// The console page the notification opens: its customer (with the note), else its task list
    /// or handoffs, else the inbox of notifications.
    static func link(to notification: UserNotification, in consoleURL: String) -> String {
        let base = consoleURL.hasSuffix("/") ? String(consoleURL.dropLast()) : consoleURL
        if let customer = notification.customerID {
            return base + "/#/customers/\(customer)" + (notification.noteID.map { "?note=\($0)" } ?? "")
        }
        if notification.taskID != nil { return base + "/#/tasks" }
        if notification.handoffID != nil { return base + "/#/handoffs" }
        return base + "/#/notifications"
    }
}
