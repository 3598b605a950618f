/// An email as Rapport stored it: what `GET /v1/mail-messages/{id}` shows.
public struct MailRecord: Sendable, Equatable {
    public var id: String
    public var channelID: String
    /// `inbound` (received) or `outbound` (sent by Rapport).
    public var direction: InteractionDirection
    public var interactionID: String?
    public var customerID: String?
    public var messageID: String?
    public var threadKey: String
    public var subject: String?
    public var envelopeFrom: String?
    public var envelopeTo: [String]
    public var flags: [String]
    /// What was read from the message: from, to, cc, in_reply_to, references, date, text,
    /// quoted, signature, problems.
    public var details: JSONObject
    public var attachments: [InboundMail.AttachmentSummary]
    public var size: Int
    public var receivedAt: Timestamp
    /// For a message Rapport sends: where it stands in the queue.
    public var delivery: MailDelivery?

    public init(id: String, channelID: String, direction: InteractionDirection, interactionID: String?, customerID: String?,
                messageID: String?, threadKey: String, subject: String?, envelopeFrom: String?, envelopeTo: [String], flags: [String],
                details: JSONObject, attachments: [InboundMail.AttachmentSummary], size: Int, receivedAt: Timestamp,
                delivery: MailDelivery? = nil) {
        self.id = id
        self.channelID = channelID
        self.direction = direction
        self.interactionID = interactionID
        self.customerID = customerID
        self.messageID = messageID
        self.threadKey = threadKey
        self.subject = subject
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.flags = flags
        self.details = details
        self.attachments = attachments
        self.size = size
        self.receivedAt = receivedAt
        self.delivery = delivery
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["channel_id"] = .string(channelID)
        object["direction"] = .string(direction.rawValue)
        object["interaction_id"] = interactionID.map(JSONValue.string) ?? .null
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["message_id"] = messageID.map(JSONValue.string) ?? .null
        object["thread_id"] = .string(threadKey)
        object["subject"] = subject.map(JSONValue.string) ?? .null
        object["envelope_from"] = envelopeFrom.map(JSONValue.string) ?? .null
        object["envelope_to"] = .array(envelopeTo.map(JSONValue.string))
        for key in ["from", "to", "cc", "reply_to", "in_reply_to", "references", "date", "text", "quoted", "signature", "problems"] {
            object[key] = details[key] ?? .null
        }
        object["flags"] = .array(flags.map(JSONValue.string))
        object["attachments"] = .array(attachments.map(\.json))
        object["size"] = .integer(Int64(size))
        object["received_at"] = .string(receivedAt.rfc3339)
        object["delivery"] = delivery?.json ?? .null
        return .object(object)
    }

    /// What is kept of a parsed message besides its columns. The new text is the interaction's
    /// body, so it is kept here only for a message that became no interaction (`keepingText`).
    public static func details(of message: MailMessage, keepingText: Bool = true) -> JSONObject {
        func address(_ mailbox: MailAddress) -> JSONValue {
            var object = JSONObject()
            object["name"] = mailbox.name.map(JSONValue.string) ?? .null
            object["address"] = .string(mailbox.address)
            return .object(object)
        }
        var details = JSONObject()
        details["from"] = message.from.map(address) ?? .null
        details["to"] = .array(message.to.prefix(100).map(address))
        details["cc"] = .array(message.cc.prefix(100).map(address))
        details["reply_to"] = .array(message.replyTo.prefix(10).map(address))
        details["in_reply_to"] = message.inReplyTo.map(JSONValue.string) ?? .null
        details["references"] = .array(message.references.prefix(100).map(JSONValue.string))
        details["date"] = message.date.map { .string($0.rfc3339) } ?? .null
        if keepingText { details["text"] = .string(String(message.reply.new.prefix(200_000))) }
        details["quoted"] = .string(String(message.reply.quoted.prefix(200_000)))
        details["signature"] = .string(String(message.reply.signature.prefix(10_000)))
        details["problems"] = .array(message.problems.map { .string($0.rawValue) })
        return details
    }
}
