import NIOCore
import RapportCore
import SQLKit

extension SQLMailOutboxStore {
    public func queueReply(_ reply: EmailReply, toConversation conversationID: String, hostname: String, actor: Actor,
                           in tx: WriteTransaction) async throws -> MailRecord {
        guard let conversation = try await store.conversations.conversationForUpdate(conversationID, in: tx) else {
            throw StoreError.notFound("conversation", conversationID)
        }
        guard let channel = try await ChannelRows.find(id: conversation.channelID, on: tx.database), channel.kind == .email,
              let channelAddress = channel.settings["address"]?.stringValue.map({ $0.trimmingSpace() }), !channelAddress.isEmpty else {
            throw StoreError(.invalidReference, "conversation \(conversationID) is not on an email channel with an address (settings.address)",
                             field: "conversation_id")
        }
        let parent = try await parentMessage(of: conversation, in: tx)
        let mailID = tx.newID("mail")
        let messageID = "\(mailID)@\(hostname)"
        let from = MailAddress(name: channel.name, address: channelAddress)
        let now = tx.now()
        let mail: OutgoingMail
        if let parent {
            mail = reply.outgoing(answering: parent, from: from, fallbackSubject: conversation.subject, messageID: messageID, date: now)
        } else {
            guard let address = try await tx.firstRow("""
                SELECT value FROM identities WHERE customer_id = \(bind: conversation.customerID) AND kind = 'email'
                ORDER BY position LIMIT 1
                """).map({ try $0.string("value") }) else {
                throw StoreError(.invalidReference, "the conversation's customer has no email address to write to", field: "conversation_id")
            }
            let start = MailParent(direction: .outbound, messageID: nil, references: [], subject: conversation.subject, from: nil,
                                   replyTo: [], to: [MailAddress(name: nil, address: address)], cc: [], date: now, text: "")
            mail = reply.outgoing(answering: start, from: from, fallbackSubject: conversation.subject, messageID: messageID, date: now)
        }
        guard !mail.to.isEmpty else {
            throw StoreError(.invalidReference, "the message this reply answers names no one to reply to", field: "conversation_id")
        }
        let raw = MailComposer.render(mail)
        let written = MailParser().parse(raw)
        let threadKey = conversation.threadKey ?? conversation.id

        var metadata = JSONObject()
        metadata["mail_message_id"] = .string(mailID)
        if let key = conversation.threadKey { metadata["thread_id"] = .string(key) }
        metadata["message_id"] = .string(messageID)
        metadata["in_reply_to"] = mail.inReplyTo.map(JSONValue.string) ?? .null
        metadata["from"] = .string(from.address)
        metadata["from_name"] = .string(from.name ?? "")
        metadata["to"] = .array(mail.to.map { .string($0.address) })
        metadata["cc"] = .array(mail.cc.map { .string($0.address) })
        let summaries = mail.attachments.enumerated().map { _, attachment in
            InboundMail.AttachmentSummary(id: tx.newID("att"), filename: attachment.filename, contentType: attachment.contentType,
                                          size: attachment.size, stored: true)
        }
        metadata["attachments"] = .array(summaries.map(\.json))
        metadata["flags"] = .array([])
        metadata["author_id"] = actor.id.map(JSONValue.string) ?? .null
        let interaction = NewInteraction(channelID: channel.id, party: .customer(conversation.customerID), direction: .outbound, kind: .email,
                                         subject: mail.subject, body: reply.text.trimmingSpace(), metadata: metadata, occurredAt: now,
                                         externalID: messageID)
        let ingested = try await store.interactions.ingestInteraction(interaction, actor: actor, in: tx)

        var record = try await enqueue(mail, raw: raw, written: written, mailID: mailID, channelID: channel.id, channelAddress: channelAddress,
                                       customerID: ingested.interaction.customerID, interactionID: ingested.interaction.id,
                                       conversationID: conversation.id, threadKey: threadKey, summaries: summaries, actor: actor, in: tx)
        record.details["text"] = .string(reply.text.trimmingSpace())
        return record
    }

    /// Keeps a message Rapport sends as it will go out (its mail row, attachments and queue
    /// entry) and appends `rapport.mail.queued`: what every kind of outgoing mail shares.
    /// `keepingText` false keeps the text only in the message itself, not in the row's details.
    func enqueue(_ mail: OutgoingMail, raw: [UInt8], written: MailMessage, mailID: String, channelID: String, channelAddress: String,
                 customerID: String?, interactionID: String?, conversationID: String?, threadKey: String,
                 summaries: [InboundMail.AttachmentSummary], actor: Actor, keepingText: Bool? = nil,
                 in tx: WriteTransaction) async throws -> MailRecord {
        let now = tx.now()
        let delivery = MailDelivery(status: .queued, recipients: mail.recipients, attempts: 0, nextAttemptAt: now, note: nil, sentAt: nil,
                                    updatedAt: now)
        let record = MailRecord(id: mailID, channelID: channelID, direction: .outbound, interactionID: interactionID, customerID: customerID,
                                messageID: mail.messageID, threadKey: threadKey, subject: mail.subject, envelopeFrom: channelAddress,
                                envelopeTo: mail.recipients, flags: [], details: MailRecord.details(of: written, keepingText: keepingText ?? (interactionID == nil)),
                                attachments: summaries, size: raw.count, receivedAt: now, delivery: delivery)
        let single = PendingMail()
        single.add(PendingMail.Row(record: record, fromAddress: channelAddress.lowercased(), threadSubject: InboundMail.threadSubject(mail.subject),
                                   raw: raw),
                   attachments: zip(summaries, mail.attachments).enumerated().map { position, pair in
                       PendingMail.Attachment(summary: pair.0, mailID: mailID, position: position, contentID: nil, content: pair.1.content)
                   })
        try await MailRows.insert(single, in: tx)
        try await tx.execute("""
            INSERT INTO mail_outbox (id, conversation_id, envelope_from, recipients, status, attempts, next_attempt_at, created_at, updated_at)
            VALUES (\(bind: mailID), \(bind: conversationID), \(bind: channelAddress), \(bind: mail.recipients.jsonText), 'queued', 0,
                    \(bind: now.microseconds), \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        tx.append(.change("mail", "queued", subject: customerID ?? mailID, record: Self.eventRecord(record), changedFields: [], actor: actor,
                          channelID: channelID))
        return record
    }

    /// The newest message of the conversation's email thread, with the text it said.
    private func parentMessage(of conversation: Conversation, in tx: WriteTransaction) async throws -> MailParent? {
        guard let threadKey = conversation.threadKey,
              let row = try await tx.firstRow("""
                SELECT m.direction, m.message_id, m.subject, m.details, m.received_at, i.body FROM mail_messages m
                LEFT JOIN interactions i ON i.id = m.interaction_id
                WHERE m.channel_id = \(bind: conversation.channelID) AND m.thread_key = \(bind: threadKey)
                ORDER BY m.received_at DESC, m.id DESC LIMIT 1
                """) else { return nil }
        let details = try row.jsonObject("details")
        func mailbox(_ value: JSONValue?) -> MailAddress? {
            guard let object = value?.objectValue, let address = object["address"]?.stringValue else { return nil }
            return MailAddress(name: object["name"]?.stringValue, address: address)
        }
        func mailboxes(_ key: String) -> [MailAddress] { (details[key]?.arrayValue ?? []).compactMap(mailbox) }
        let received = try row.timestamp("received_at")
        return MailParent(direction: InteractionDirection(rawValue: try row.string("direction")) ?? .inbound,
                          messageID: try row.optionalString("message_id"),
                          references: (details["references"]?.arrayValue ?? []).compactMap(\.stringValue),
                          subject: try row.optionalString("subject"), from: mailbox(details["from"]), replyTo: mailboxes("reply_to"),
                          to: mailboxes("to"), cc: mailboxes("cc"),
                          date: details["date"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? received,
                          text: try row.optionalString("body") ?? details["text"]?.stringValue ?? "")
    }

    /// What a `rapport.mail.*` event carries: the message's identity and where it stands, not its content.
    static func eventRecord(_ record: MailRecord) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(record.id)
        object["channel_id"] = .string(record.channelID)
        object["interaction_id"] = record.interactionID.map(JSONValue.string) ?? .null
        object["message_id"] = record.messageID.map(JSONValue.string) ?? .null
        object["subject"] = record.subject.map(JSONValue.string) ?? .null
        object["delivery"] = record.delivery?.json ?? .null
        return .object(object)
    }
}
