import NIOCore
import RapportCore
import SQLKit

extension SQLMailStore {
    public func preparedForRouting(_ mail: ReceivedMail) -> ReceivedMail {
        guard let party = InboundMail.party(of: mail.message, envelopeFrom: mail.envelopeFrom, normalizer: mail.normalizer) else { return mail }
        // Only its subject and body count: the ids and times are made again in the write.
        let new = InboundMail.interaction(mail.message, party: party, channelID: mail.channelID, mailID: "", threadID: "",
                                          attachments: [], receivedAt: Timestamp(microseconds: 0))
        var prepared = mail
        prepared.preparedRouting = store.interactions.prepareIngest(new)
        return prepared
    }

    public func receive(_ mail: ReceivedMail, in tx: WriteTransaction) async throws -> MailRecord {
        let message = mail.message
        let pending = tx.batchState(PendingMail.key) { PendingMail() }
        let party = InboundMail.party(of: message, envelopeFrom: mail.envelopeFrom, normalizer: mail.normalizer)
        if let messageID = message.messageID, let stored = try await storedMessage(messageID, of: mail, party: party, pending: pending, in: tx) {
            return stored
        }
        let now = tx.now()
        let mailID = tx.newID("mail")
        let fromAddress = party?.value
        let threadSubject = InboundMail.threadSubject(message.subject)
        let threadKey = try await threadKey(for: message, channelID: mail.channelID, fromAddress: fromAddress, subject: threadSubject,
                                            window: mail.subjectWindow, now: now, pending: pending, in: tx)
            ?? message.messageID ?? mailID

        var summaries: [InboundMail.AttachmentSummary] = []
        var attachments: [PendingMail.Attachment] = []
        for (position, attachment) in message.attachments.enumerated() {
            let stored = attachment.size <= mail.attachmentLimit
            let summary = InboundMail.AttachmentSummary(id: tx.newID("att"), filename: attachment.filename.map { String($0.prefix(500)) },
                                                        contentType: String(attachment.contentType.prefix(200)),
                                                        size: attachment.size, stored: stored)
            summaries.append(summary)
            attachments.append(PendingMail.Attachment(summary: summary, mailID: mailID, position: position, contentID: attachment.contentID,
                                                      content: stored ? attachment.content : nil))
        }

        var interactionID: String?
        var customerID: String?
        if let party {
            let new = InboundMail.interaction(message, party: party, channelID: mail.channelID, mailID: mailID, threadID: threadKey,
                                              attachments: summaries, receivedAt: now)
            let result = try await store.interactions.ingestInteraction(new, actor: Actor(kind: .system, id: "mail"),
                                                                        prepared: mail.preparedRouting, in: tx)
            interactionID = result.interaction.id
            customerID = result.interaction.customerID
        }
        // A bounce of a message Rapport sent marks it, and the addresses that failed, on the record.
        if let report = message.deliveryReport {
            try await store.mailOutbox.applyDeliveryReport(report, channelID: mail.channelID, in: tx)
        }
        // Answers to meeting invitations update their attendees.
        // Mail programs send the calendar twice (the text/calendar part and invite.ics): each answer counts once.
        var seenReplies = Set<String>()
        let replies = InboundMail.calendarTexts(of: message).flatMap(MeetingInvitation.replies(in:)).filter { reply in
            seenReplies.insert("\(reply.uid)|\(reply.sequence)|\(reply.attendee)|\(reply.occurrence?.microseconds ?? -1)").inserted
        }
        if !replies.isEmpty { try await store.meetings.applyReplies(replies, in: tx) }
        var flags = message.flags
        if party == nil { flags.append("no_sender") }
        let record = MailRecord(id: mailID, channelID: mail.channelID, direction: .inbound, interactionID: interactionID, customerID: customerID,
                                messageID: message.messageID, threadKey: threadKey, subject: message.subject.map { String($0.prefix(1_000)) },
                                envelopeFrom: mail.envelopeFrom, envelopeTo: mail.envelopeTo, flags: flags,
                                details: MailRecord.details(of: message, keepingText: interactionID == nil), attachments: summaries,
                                size: mail.raw.count, receivedAt: now)
        // Written with the batch's other mail just before commit, in one statement per table.
        pending.add(PendingMail.Row(record: record, fromAddress: fromAddress, threadSubject: threadSubject, raw: mail.raw),
                    attachments: attachments)
        tx.markWritten()
        tx.beforeCommit("mail") { tx in
            try await MailRows.insert(tx.batchState(PendingMail.key) { PendingMail() }, in: tx)
        }
        var shown = record
        shown.details["text"] = .string(message.reply.new)
        return shown
    }

    /// The message this channel already received with `messageID` (a client's retry), if any.
    private func storedMessage(_ messageID: String, of mail: ReceivedMail, party: Identity?, pending: PendingMail,
                               in tx: WriteTransaction) async throws -> MailRecord? {
        if let received = pending.received(messageID, on: mail.channelID) { return received }
        // A message with a sender is stored with an interaction of its Message-ID: when the batch's
        // prefetch knows there is none, there is no mail row to find either.
        if party != nil, case .some(.none) = tx.lookups.interaction(for: ExternalKey(channelID: mail.channelID, externalID: messageID)) {
            return nil
        }
        guard let row = try await tx.firstRow("""
            SELECT id FROM mail_messages WHERE channel_id = \(bind: mail.channelID) AND message_id = \(bind: messageID)
                AND direction = 'inbound' ORDER BY id LIMIT 1
            """) else { return nil }
        return try await MailRows.record(try row.string("id"), on: tx.database)
    }

    /// The thread of the newest earlier message this one refers to (In-Reply-To, then
    /// References newest first); failing that, for a reply (a subject with `Re:` or the like),
    /// the sender's newest message of the same subject within `window`. This batch's messages
    /// count as earlier ones.
    private func threadKey(for message: MailMessage, channelID: String, fromAddress: String?, subject: String, window: Duration,
                           now: Timestamp, pending: PendingMail, in tx: WriteTransaction) async throws -> String? {
        var referenced: [String] = []
        if let inReplyTo = message.inReplyTo { referenced.append(inReplyTo) }
        referenced += message.references.reversed()
        for id in referenced.prefix(20) {
            if let key = pending.threadKey(ofMessage: id, on: channelID) { return key }
            if let row = try await tx.firstRow("""
                SELECT thread_key FROM mail_messages WHERE channel_id = \(bind: channelID) AND message_id = \(bind: id)
                ORDER BY received_at DESC LIMIT 1
                """) {
                return try row.string("thread_key")
            }
        }
        guard let fromAddress, !subject.isEmpty, InboundMail.isReply(message.subject) else { return nil }
        if let key = pending.threadKey(from: fromAddress, subject: subject, on: channelID) { return key }
        let since = now.microseconds - window.nanoseconds / 1_000
        let row = try await tx.firstRow("""
            SELECT thread_key FROM mail_messages WHERE channel_id = \(bind: channelID) AND from_address = \(bind: fromAddress)
                AND thread_subject = \(bind: subject) AND received_at >= \(bind: since)
            ORDER BY received_at DESC LIMIT 1
            """)
        return try row.map { try $0.string("thread_key") }
    }
}
