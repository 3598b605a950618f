/// An email Rapport sends: who to, about what, the text (and its HTML form), the files, and its
/// place in the thread so the customer's mail program files it with what came before.
public struct OutgoingMail: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String
    /// Without angle brackets.
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    public var date: Timestamp
    public var attachments: [MailAttachment]
    /// An invitation (or its answer or cancellation): a `text/calendar` alternative with its
    /// METHOD, which calendar programs act on, and the same as `invite.ics` for the others.
    public var calendar: (method: String, text: String)?
    /// A one-click unsubscribe URL (RFC 8058): `List-Unsubscribe` with `List-Unsubscribe-Post`.
    public var listUnsubscribe: String?

    public static func == (lhs: OutgoingMail, rhs: OutgoingMail) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.cc == rhs.cc && lhs.subject == rhs.subject && lhs.text == rhs.text
            && lhs.html == rhs.html && lhs.messageID == rhs.messageID && lhs.inReplyTo == rhs.inReplyTo && lhs.references == rhs.references
            && lhs.date == rhs.date && lhs.attachments == rhs.attachments && lhs.calendar?.method == rhs.calendar?.method
            && lhs.calendar?.text == rhs.calendar?.text && lhs.listUnsubscribe == rhs.listUnsubscribe
    }

    public init(from: MailAddress, to: [MailAddress], cc: [MailAddress] = [], subject: String, text: String, html: String,
                messageID: String, inReplyTo: String? = nil, references: [String] = [], date: Timestamp,
                attachments: [MailAttachment] = [], calendar: (method: String, text: String)? = nil, listUnsubscribe: String? = nil) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.attachments = attachments
        self.calendar = calendar
        self.listUnsubscribe = listUnsubscribe
    }

    /// Every address the relay is asked to deliver to.
    public var recipients: [String] {
        var seen = Set<String>()
        return (to + cc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }
}

/// Writes an `OutgoingMail` as an RFC 5322 message: `multipart/alternative` text and HTML, in a
/// `multipart/mixed` with the attachments when there are any; 7-bit throughout (quoted-printable
/// text, base64 files, encoded-word headers), so no relay needs 8BITMIME.
public enum MailComposer {
    public static func render(_ mail: OutgoingMail) -> [UInt8] {
        var head = ""
        head += MailEncoding.header("Date", mail.date.rfc5322)
        head += MailEncoding.header("From", MailEncoding.mailbox(mail.from))
        head += MailEncoding.header("To", mail.to.map(MailEncoding.mailbox).joined(separator: ", "))
        if !mail.cc.isEmpty { head += MailEncoding.header("Cc", mail.cc.map(MailEncoding.mailbox).joined(separator: ", ")) }
        head += MailEncoding.header("Subject", MailEncoding.headerText(mail.subject))
        head += MailEncoding.header("Message-ID", "<\(mail.messageID)>")
        if let inReplyTo = mail.inReplyTo { head += MailEncoding.header("In-Reply-To", "<\(inReplyTo)>") }
        if !mail.references.isEmpty { head += MailEncoding.header("References", mail.references.map { "<\($0)>" }.joined(separator: " ")) }
        if let unsubscribe = mail.listUnsubscribe {
            head += MailEncoding.header("List-Unsubscribe", "<\(unsubscribe)>")
            head += MailEncoding.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        }
        head += "MIME-Version: 1.0\r\n"

        // Boundaries start with `=_`, which neither quoted-printable nor base64 can produce.
        let alternativeBoundary = "=_rapport_alt_" + boundaryToken(mail.messageID)
        var alternative = ""
        alternative += "--\(alternativeBoundary)\r\n"
        alternative += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        alternative += MailEncoding.quotedPrintable(mail.text) + "\r\n"
        alternative += "--\(alternativeBoundary)\r\n"
        alternative += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        alternative += MailEncoding.quotedPrintable(mail.html) + "\r\n"
        if let calendar = mail.calendar {
            alternative += "--\(alternativeBoundary)\r\n"
            alternative += "Content-Type: text/calendar; charset=utf-8; method=\(calendar.method)\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            alternative += MailEncoding.base64Lines(Array(calendar.text.utf8))
        }
        alternative += "--\(alternativeBoundary)--\r\n"
        let alternativeType = "Content-Type: multipart/alternative;\r\n boundary=\"\(alternativeBoundary)\"\r\n"

        guard !mail.attachments.isEmpty else {
            return Array((head + alternativeType + "\r\n" + alternative).utf8)
        }
        let mixedBoundary = "=_rapport_mix_" + boundaryToken(mail.messageID)
        var body = "--\(mixedBoundary)\r\n" + alternativeType + "\r\n" + alternative
        for attachment in mail.attachments {
            body += "--\(mixedBoundary)\r\n"
            let filename = attachment.filename ?? "attachment"
            body += "Content-Type: \(attachment.contentType);\r\n \(MailEncoding.parameter("name", filename))\r\n"
            body += "Content-Disposition: \(attachment.isInline ? "inline" : "attachment");\r\n \(MailEncoding.parameter("filename", filename))\r\n"
            if let contentID = attachment.contentID { body += "Content-ID: <\(contentID)>\r\n" }
            body += "Content-Transfer-Encoding: base64\r\n\r\n"
            body += MailEncoding.base64Lines(attachment.content)
        }
        body += "--\(mixedBoundary)--\r\n"
        return Array((head + "Content-Type: multipart/mixed;\r\n boundary=\"\(mixedBoundary)\"\r\n\r\n" + body).utf8)
    }

    /// Letters and digits from the Message-ID, so a message's boundaries are its own and the same
    /// every time it is written.
    private static func boundaryToken(_ messageID: String) -> String {
        String(messageID.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil) }
            .prefix(40).map(Character.init))
    }
}
