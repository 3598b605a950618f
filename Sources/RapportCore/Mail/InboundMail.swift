/// What an email that arrived on a channel becomes on the customer record: an interaction of
/// kind `email` from the sender's address, in its thread, with the new text as its body and
/// the mail's particulars in its metadata. Pure: the store finds the thread and the ids.
public enum InboundMail {
    /// The identity the message belongs to: the `From` address; for a bounce, the address that
    /// bounced (the company's own customer); else the envelope sender. Nil when none is an address.
    public static func party(of message: MailMessage, envelopeFrom: String?, normalizer: IdentityNormalizer) -> Identity? {
        var candidates: [String] = []
        if let report = message.deliveryReport {
            candidates += report.failedRecipients.map(\.address) + report.recipients.map(\.address)
        }
        candidates += [message.from?.address, message.replyTo.first?.address, envelopeFrom].compactMap { $0 }
        for candidate in candidates {
            if let value = try? normalizer.normalizeEmail(candidate) { return Identity(kind: .email, value: value) }
        }
        return nil
    }

    /// The iCalendar objects a message carries: `text/calendar` parts (kept as attachments by the
    /// parser), `.ics` files, or a body that is one.
    public static func calendarTexts(of message: MailMessage) -> [String] {
        var texts = message.attachments.filter { attachment in
            attachment.contentType == "text/calendar" || attachment.contentType == "application/ics"
                || attachment.filename?.lowercased().hasSuffix(".ics") == true
        }.map { String(decoding: $0.content, as: UTF8.self) }
        if texts.isEmpty, message.text.contains("BEGIN:VCALENDAR") { texts.append(message.text) }
        return texts
    }

    /// The subject without reply and forward prefixes (`Re:`, `Fwd:`, `回复：`, `答复:`, `转发:`,
    /// `AW:`, `SV:`…) and without case, for threading messages whose mail program dropped the
    /// references.
    public static func threadSubject(_ subject: String?) -> String {
        strippingReplyPrefixes(subject).text.lowercased()
    }

    /// Whether the subject starts with a reply or forward prefix: only such a message threads by
    /// subject when it names no earlier message (a new message is a new conversation).
    public static func isReply(_ subject: String?) -> Bool {
        strippingReplyPrefixes(subject).stripped
    }

    private static func strippingReplyPrefixes(_ subject: String?) -> (text: String, stripped: Bool) {
        var text = (subject ?? "").trimmingSpace()
        let prefixes = ["re", "fw", "fwd", "aw", "sv", "vs", "wg", "tr", "rv", "回复", "回覆", "答复", "转发", "轉寄", "转寄"]
        var stripped = false
        var changed = true
        while changed {
            changed = false
            let lowered = text.lowercased()
            for prefix in prefixes where lowered.hasPrefix(prefix) {
                var rest = Substring(text.dropFirst(prefix.count))
                // `Re[2]:` as some mailers write it.
                if rest.first == "[", let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: close)...] }
                rest = Substring(rest.drop { $0 == " " })
                guard let colon = rest.first, colon == ":" || colon == "：" else { continue }
                text = String(rest.dropFirst()).trimmingSpace()
                changed = true
                stripped = true
                break
            }
        }
        return (text, stripped)
    }

    /// When the message happened: its `Date` when that is plausible (not after it arrived, not
    /// more than a week before), else when it arrived.
    public static func occurredAt(_ message: MailMessage, receivedAt: Timestamp) -> Timestamp {
        guard let date = message.date else { return receivedAt }
        let week: Int64 = 7 * 86_400 * 1_000_000
        let skew: Int64 = 15 * 60 * 1_000_000
        if date.microseconds > receivedAt.microseconds + skew || date.microseconds < receivedAt.microseconds - week { return receivedAt }
        return min(date, receivedAt)
    }

    /// A stored attachment as the interaction lists it.
    public struct AttachmentSummary: Sendable, Equatable {
        public var id: String
        public var filename: String?
        public var contentType: String
        public var size: Int
        /// False when the attachment was over the size limit: listed, not kept.
        public var stored: Bool

        public init(id: String, filename: String?, contentType: String, size: Int, stored: Bool) {
            self.id = id
            self.filename = filename
            self.contentType = contentType
            self.size = size
            self.stored = stored
        }

        public var json: JSONValue {
            var object = JSONObject()
            object["id"] = .string(id)
            object["filename"] = filename.map(JSONValue.string) ?? .null
            object["content_type"] = .string(contentType)
            object["size"] = .integer(Int64(size))
            object["stored"] = .bool(stored)
            return .object(object)
        }
    }

    /// The interaction for `message` from `party`, on `channelID`, in thread `threadID`.
    public static func interaction(_ message: MailMessage, party: Identity, channelID: String, mailID: String, threadID: String,
                                   attachments: [AttachmentSummary], receivedAt: Timestamp) -> NewInteraction {
        var metadata = JSONObject()
        metadata["mail_message_id"] = .string(mailID)
        metadata["thread_id"] = .string(threadID)
        metadata["message_id"] = message.messageID.map(JSONValue.string) ?? .null
        metadata["in_reply_to"] = message.inReplyTo.map(JSONValue.string) ?? .null
        metadata["from"] = message.from.map { .string($0.address) } ?? .null
        metadata["from_name"] = message.from?.name.map(JSONValue.string) ?? .null
        metadata["to"] = .array(message.to.prefix(50).map { .string($0.address) })
        metadata["cc"] = .array(message.cc.prefix(50).map { .string($0.address) })
        if !message.replyTo.isEmpty { metadata["reply_to"] = .array(message.replyTo.prefix(10).map { .string($0.address) }) }
        metadata["attachments"] = .array(attachments.prefix(100).map(\.json))
        metadata["flags"] = .array(message.flags.map(JSONValue.string))
        var body = message.reply.new.isEmpty ? message.text.trimmingSpace() : message.reply.new
        if body.count > NewInteraction.maxBodyLength { body = String(body.prefix(NewInteraction.maxBodyLength)) }
        let subject = message.subject.map { String($0.prefix(1_000)) }
        let externalID = message.messageID.flatMap { $0.count <= 300 ? $0 : nil }
        let name = message.deliveryReport == nil ? message.from?.name.map { String($0.prefix(300)) } : nil
        return NewInteraction(channelID: channelID, party: .identity(party), customerName: name, direction: .inbound, kind: .email,
                              subject: subject, body: body, metadata: metadata,
                              occurredAt: occurredAt(message, receivedAt: receivedAt), externalID: externalID)
    }
}
