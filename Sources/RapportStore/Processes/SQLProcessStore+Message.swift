import RapportCore

/// `rapport.message`: a process writes to its customer on the channel they use — into a
/// conversation (`conversation`) as a person's reply there would go (a threaded email through the
/// mail queue, a chat message the visitor's widget shows, an outbound message elsewhere), or on a
/// channel (`channel`) to the instance's customer. An outbound message on an SMS, social, web,
/// app or API channel is delivered by the integration that serves that channel, which follows the
/// log (webhooks, RabbitMQ); Rapport records it on the customer's timeline. All of it in the
/// instance's transaction.
extension SQLProcessStore {
    /// The id of the interaction it made.
    func sendMessage(_ inputs: [String: JSONValue], about instance: ProcessInstanceRecord, by actor: Actor,
                     in tx: WriteTransaction) async throws -> String {
        let text = try Self.text(inputs["text"], "text")
        guard text.count <= NewInteraction.maxBodyLength else {
            throw StoreError(.invalidReference, "the text is longer than \(NewInteraction.maxBodyLength) characters", field: "text")
        }
        let subject = try inputs["subject"].map { try Self.text($0, "subject") }
        switch (inputs["conversation"], inputs["channel"]) {
        case (let conversation?, nil):
            return try await reply(text, subject: subject, in: try Self.text(conversation, "conversation"), inputs: inputs, by: actor, in: tx)
        case (nil, let channel?):
            guard let customerID = instance.customerID else {
                throw StoreError(.invalidReference, "the instance is about no customer to write to on a channel", field: "channel")
            }
            let channelID = try Self.text(channel, "channel")
            guard let found = try await ChannelRows.find(id: channelID, on: tx.database) else {
                throw StoreError(.invalidReference, "no channel has the id \(channelID)", field: "channel")
            }
            switch found.kind {
            case .email:
                throw StoreError(.invalidReference, "a new email needs a subject and an address: use rapport.email, or give the conversation to reply in",
                                 field: "channel")
            case .chat:
                throw StoreError(.invalidReference, "a web chat reaches its visitor only in their conversation: give conversation", field: "channel")
            default:
                try await requireConsent(of: customerID, on: found.kind, inputs: inputs, in: tx)
                return try await outbound(text, subject: subject, on: found, to: customerID, by: actor, in: tx)
            }
        default:
            throw StoreError(.invalidReference, "give either conversation (to reply in it) or channel (to write to the instance's customer on it)",
                             field: inputs["conversation"] == nil ? "conversation" : "channel")
        }
    }

    /// A reply in the conversation, through its channel.
    private func reply(_ text: String, subject: String?, in conversationID: String, inputs: [String: JSONValue], by actor: Actor,
                       in tx: WriteTransaction) async throws -> String {
        guard let conversation = try await store.conversations.conversationForUpdate(conversationID, in: tx) else {
            throw StoreError(.invalidReference, "no conversation has the id \(conversationID)", field: "conversation")
        }
        guard let channel = try await ChannelRows.find(id: conversation.channelID, on: tx.database) else {
            throw StoreError(.invalidReference, "the conversation's channel \(conversation.channelID) is gone", field: "conversation")
        }
        try await requireConsent(of: conversation.customerID, on: channel.kind, inputs: inputs, in: tx)
        switch channel.kind {
        case .email:
            let mail = try await store.mailOutbox.queueReply(EmailReply(text: text), toConversation: conversationID,
                                                             hostname: store.processActionEnvironment.mailHostname, actor: actor, in: tx)
            return mail.interactionID ?? mail.id
        case .chat:
            return try await store.chat.reply(toConversation: conversationID, text: text, files: [], actor: actor, in: tx).id
        default:
            return try await outbound(text, subject: subject, on: channel, to: conversation.customerID, by: actor, in: tx)
        }
    }

    /// An outbound message to the customer on the channel, threaded into their conversation there.
    private func outbound(_ text: String, subject: String?, on channel: Channel, to customerID: String, by actor: Actor,
                          in tx: WriteTransaction) async throws -> String {
        guard channel.kind != .phone, channel.kind != .store else {
            throw StoreError(.invalidReference, "a \(channel.kind.rawValue) channel takes no written message", field: "channel")
        }
        let message = NewInteraction(channelID: channel.id, party: .customer(customerID), direction: .outbound, kind: .message,
                                     subject: subject, body: text, occurredAt: tx.now())
        return try await store.interactions.ingestInteraction(message, actor: actor, in: tx).interaction.id
    }
}
