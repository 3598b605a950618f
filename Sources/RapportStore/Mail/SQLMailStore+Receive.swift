import NIOCore
import RapportCore
import SQLKit

extension SQLMailStore {
    public func receive(_ mail: ReceivedMail, in tx: WriteTransaction) async throws -> MailRecord {
        let message = mail.message
        let party = InboundMail.party(of: message, envelopeFrom: mail.envelopeFrom, normalizer: mail.normalizer)
        // A message with a sender was stored with an interaction of its Message-ID: when the
        // batch's prefetch already knows there is none, there is no mail row to find either.
        var knownNew = false
        if let messageID = message.messageID, party != nil,
           case .some(.none) = tx.lookups.interaction(for: ExternalKey(channelID: mail.channelID, externalID: messageID)) {
            knownNew = true
        }
        if !knownNew, let messageID = message.messageID,
           let row = try await tx.firstRow("""
               SELECT id FROM mail_messages WHERE channel_id = \(bind: mail.channelID) AND message_id = \(bind: messageID)
                   AND direction = 'inbound' ORDER BY id LIMIT 1
               """),
           let stored = try await MailRows.record(try row.string("id"), on: tx.database) {
            return stored
        }
        let now = tx.now()
        let mailID = tx.newID("mail")
        let fromAddress = party?.value
        let threadSubject = InboundMail.threadSubject(message.subject)
        let threadKey = try await threadKey(for: message, channelID: mail.channelID, fromAddress: fromAddress, subject: threadSubject,
                                            window: mail.subjectWindow, now: now, in: tx)
            ?? message.messageID ?? mailID

        var summaries: [InboundMail.AttachmentSummary] = []
        var contents: [[UInt8]?] = []
        for attachment in message.attachments {
            let stored = attachment.size <= mail.attachmentLimit
            summaries.append(InboundMail.AttachmentSummary(id: tx.newID("att"), filename: attachment.filename.map { String($0.prefix(500)) },
                                                           contentType: String(attachment.contentType.prefix(200)),
                                                           size: attachment.size, stored: stored))
            contents.append(stored ? attachment.content : nil)
        }

        var interactionID: String?
        var customerID: String?
        if let party {
            let new = InboundMail.interaction(message, party: party, channelID: mail.channelID, mailID: mailID, threadID: threadKey,
                                              attachments: summaries, receivedAt: now)
            let result = try await store.interactions.ingestInteraction(new, actor: Actor(kind: .system, id: "mail"), in: tx)
            interactionID = result.interaction.id
            customerID = result.interaction.customerID
        }
        var flags = message.flags
        if party == nil { flags.append("no_sender") }
        let record = MailRecord(id: mailID, channelID: mail.channelID, direction: .inbound, interactionID: interactionID, customerID: customerID,
                                messageID: message.messageID, threadKey: threadKey, subject: message.subject.map { String($0.prefix(1_000)) },
                                envelopeFrom: mail.envelopeFrom, envelopeTo: mail.envelopeTo, flags: flags,
                                details: MailRecord.details(of: message, keepingText: interactionID == nil), attachments: summaries, size: mail.raw.count, receivedAt: now)
        try await MailRows.insert(record, fromAddress: fromAddress, threadSubject: threadSubject, raw: mail.raw, in: tx)
        for (position, summary) in summaries.enumerated() {
            try await MailRows.insertAttachment(summary, mailID: mailID, position: position,
                                                contentID: message.attachments[position].contentID, content: contents[position], in: tx)
        }
        var shown = record
        shown.details["text"] = .string(message.reply.new)
        return shown
    }

    /// The thread of the newest earlier message this one refers to (In-Reply-To, then
    /// References newest first); failing that, the sender's newest message of the same subject
    /// within `window` when this one is a reply or has a subject at all.
    private func threadKey(for message: MailMessage, channelID: String, fromAddress: String?, subject: String, window: Duration,
                           now: Timestamp, in tx: WriteTransaction) async throws -> String? {
        var referenced: [String] = []
        if let inReplyTo = message.inReplyTo { referenced.append(inReplyTo) }
        referenced += message.references.reversed()
        for id in referenced.prefix(20) {
            if let row = try await tx.firstRow("""
                SELECT thread_key FROM mail_messages WHERE channel_id = \(bind: channelID) AND message_id = \(bind: id)
                ORDER BY received_at DESC LIMIT 1
                """) {
                return try row.string("thread_key")
            }
        }
        guard let fromAddress, !subject.isEmpty else { return nil }
        let since = now.microseconds - window.microseconds
        let row = try await tx.firstRow("""
            SELECT thread_key FROM mail_messages WHERE channel_id = \(bind: channelID) AND from_address = \(bind: fromAddress)
                AND thread_subject = \(bind: subject) AND received_at >= \(bind: since)
            ORDER BY received_at DESC LIMIT 1
            """)
        return try row.map { try $0.string("thread_key") }
    }
}

extension Duration {
    var microseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }
}
