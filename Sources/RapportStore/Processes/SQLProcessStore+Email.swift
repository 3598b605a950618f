import RapportCore

/// `rapport.email`: a process tells its customer by email, from one of the company's email
/// channels. The message is queued in the instance's transaction — the mail queue is the outbox
/// and sends it at least once with the same Message-ID — and is on the customer's timeline as an
/// outbound email, threaded like a reply a person wrote.
extension SQLProcessStore {
    /// The id of the queued mail.
    func sendEmail(_ inputs: [String: JSONValue], about instance: ProcessInstanceRecord, by actor: Actor,
                   in tx: WriteTransaction) async throws -> String {
        guard let customerID = instance.customerID else {
            throw StoreError(.invalidReference, "the instance is about no customer to email")
        }
        let channelID = try Self.text(inputs["channel"], "channel")
        guard let channel = try await ChannelRows.find(id: channelID, on: tx.database), channel.kind == .email,
              let channelAddress = channel.settings["address"]?.stringValue?.trimmingSpace(), !channelAddress.isEmpty else {
            throw StoreError(.invalidReference, "channel \(channelID) is not an email channel with an address (settings.address)", field: "channel")
        }
        let purpose = try await requireConsent(of: customerID, on: .email, inputs: inputs, in: tx)
        let subject = try Self.text(inputs["subject"], "subject")
        let text = try Self.text(inputs["text"], "text")
        guard subject.count <= 998, text.count <= EmailReply.maxTextLength else {
            throw StoreError(.invalidReference, "the subject or the text is too long", field: subject.count > 998 ? "subject" : "text")
        }
        let recipient: MailAddress
        if let given = inputs["to"] {
            guard case .string(let written) = given, let address = EmailReply.address(written) else {
                throw StoreError(.invalidReference, "to must be one email address", field: "to")
            }
            recipient = address
        } else {
            guard let address = try await tx.firstRow("""
                SELECT value FROM identities WHERE customer_id = \(bind: customerID) AND kind = 'email' ORDER BY position LIMIT 1
                """).map({ try $0.string("value") }) else {
                throw StoreError(.invalidReference, "the customer has no email address to write to", field: "to")
            }
            recipient = MailAddress(name: nil, address: address)
        }

        let mailID = tx.newID("mail")
        let messageID = "\(mailID)@\(store.processActionEnvironment.mailHostname)"
        let now = tx.now()
        let from = MailAddress(name: channel.name, address: channelAddress)
        var body = text.replacingOccurrences(of: "\r\n", with: "\n").trimmingSpace()
        // Marketing and research carry a one-click unsubscribe link (RFC 8058), where the server
        // knows the address customers reach it at.
        var unsubscribe: String?
        if purpose.needsGrant, let base = store.processActionEnvironment.publicURL {
            let token = try await store.consent.issueUnsubscribeLink(customerID: customerID, channel: "email", purpose: purpose, mailID: mailID, in: tx)
            unsubscribe = "\(base)/unsubscribe/\(token)"
            body += "\n\nTo receive no more of these emails: \(base)/unsubscribe/\(token)"
        }
        let mail = OutgoingMail(from: from, to: [recipient], subject: subject, text: body + "\n", html: EmailReply.html(body, quoted: nil),
                                messageID: messageID, date: now, listUnsubscribe: unsubscribe)
        let raw = MailComposer.render(mail)

        var metadata = JSONObject()
        metadata["mail_message_id"] = .string(mailID)
        metadata["message_id"] = .string(messageID)
        metadata["in_reply_to"] = .null
        metadata["from"] = .string(from.address)
        metadata["from_name"] = .string(from.name ?? "")
        metadata["to"] = [.string(recipient.address)]
        metadata["cc"] = []
        metadata["attachments"] = []
        metadata["flags"] = []
        metadata["process_instance_id"] = .string(instance.id)
        let interaction = NewInteraction(channelID: channel.id, party: .customer(customerID), direction: .outbound, kind: .email,
                                         subject: subject, body: body, metadata: metadata, occurredAt: now, externalID: messageID)
        let ingested = try await store.interactions.ingestInteraction(interaction, actor: actor, in: tx)
        _ = try await store.mailOutbox.enqueue(mail, raw: raw, written: MailParser().parse(raw), mailID: mailID, channelID: channel.id,
                                               channelAddress: channelAddress, customerID: ingested.interaction.customerID,
                                               interactionID: ingested.interaction.id, conversationID: nil, threadKey: messageID,
                                               summaries: [], actor: actor, in: tx)
        return mailID
    }
}
