/// An email as Rapport reads it: who wrote to whom, about what, the text, the attachments,
/// its place in a thread, and whether it is a person writing, an automatic reply or a bounce.
public struct MailMessage: Sendable, Equatable {
    public var headers: MailHeaders
    public var subject: String?
    public var from: MailAddress?
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: [MailAddress]
    public var date: Timestamp?
    /// Without angle brackets.
    public var messageID: String?
    public var inReplyTo: String?
    public var references: [String]
    /// The body as text: the plain alternative, or the HTML one reduced to text.
    public var text: String
    /// The HTML alternative as sent, when there is one.
    public var html: String?
    /// `text` split into the new words, the quoted history and the signature.
    public var reply: ReplyText
    public var attachments: [MailAttachment]
    public var isAutoReply: Bool
    /// The delivery status notification this message is (RFC 3464), if it is one.
    public var deliveryReport: DeliveryReport?
    /// What was wrong with its form; see `isMalformed`.
    public var problems: [MailProblem]

    /// Whether the structure was broken: the message is kept raw and flagged.
    public var isMalformed: Bool { problems.contains { $0.isStructural } }

    /// The flags the timeline and the API show.
    public var flags: [String] {
        var flags: [String] = []
        if isMalformed { flags.append("malformed") }
        if isAutoReply { flags.append("auto_reply") }
        if let report = deliveryReport {
            if report.failedRecipients.isEmpty == false { flags.append("bounce") } else if report.isDelay { flags.append("delayed") }
        }
        if problems.contains(.charsetFallback) || problems.contains(.unknownCharset) { flags.append("charset_guessed") }
        return flags
    }
}

/// A part of a message that is not its body text: a file, an inline image, a forwarded message.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String?
    /// Lowercased `type/subtype`.
    public var contentType: String
    /// The `Content-ID` without brackets, for inline images the HTML refers to.
    public var contentID: String?
    public var isInline: Bool
    /// Decoded bytes.
    public var content: [UInt8]

    public var size: Int { content.count }

    public init(filename: String?, contentType: String, contentID: String?, isInline: Bool, content: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.contentID = contentID
        self.isInline = isInline
        self.content = content
    }
}
