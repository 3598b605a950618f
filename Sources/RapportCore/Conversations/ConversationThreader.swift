/// Threads a batch of interactions at once, in arrival order: each is placed among the
/// conversations read for the batch and those the batch itself opened or joined before it, so a
/// batch costs one read and one write of conversations however many interactions it holds.
///
/// Pure: the store reads the candidates, this decides, the store writes what it returns.
public struct ConversationThreader: Sendable {
    public var threading: ConversationThreading

    public init(threading: ConversationThreading) {
        self.threading = threading
    }

    /// What a batch did to conversations.
    public struct Outcome: Sendable, Equatable {
        /// Which conversation each conversational interaction joined or opened, in arrival order.
        public var links: [Link] = []
        /// Every conversation the batch touched, in the order it first touched them: as it is now,
        /// and as it was before the batch (nil for one the batch opened).
        public var touched: [Touched] = []

        public init() {}
    }

    public struct Link: Sendable, Equatable {
        public var interactionID: String
        public var conversationID: String
        /// Whether this interaction opened the conversation.
        public var opened: Bool

        public init(interactionID: String, conversationID: String, opened: Bool) {
            self.interactionID = interactionID
            self.conversationID = conversationID
            self.opened = opened
        }
    }

    public struct Touched: Sendable, Equatable {
        public var conversation: Conversation
        public var previous: Conversation?
    }

    /// Places `interactions` (arrival order) given `candidates`, the stored conversations they may
    /// join; `newID` names each conversation opened.
    public func thread(_ interactions: [Interaction], candidates: [Conversation], at now: Timestamp,
                       newID: () -> String) -> Outcome {
        var outcome = Outcome()
        var index: [String: Int] = [:]
        var byParty: [PartyOnChannel: [String]] = [:]
        for conversation in candidates where index[conversation.id] == nil {
            index[conversation.id] = outcome.touched.count
            outcome.touched.append(Touched(conversation: conversation, previous: conversation))
            byParty[PartyOnChannel(conversation), default: []].append(conversation.id)
        }
        for interaction in interactions {
            let party = PartyOnChannel(customerID: interaction.customerID, channelID: interaction.channelID)
            let pool = (byParty[party] ?? []).compactMap { index[$0].map { outcome.touched[$0].conversation } }
            switch threading.place(interaction, candidates: pool) {
            case .none:
                continue
            case .join(let id):
                guard let position = index[id] else { continue }
                outcome.touched[position].conversation = ConversationThreading.joining(interaction, to: outcome.touched[position].conversation,
                                                                                       at: now)
                outcome.links.append(Link(interactionID: interaction.id, conversationID: id, opened: false))
            case .open(let threadKey):
                let conversation = ConversationThreading.opening(id: newID(), by: interaction, threadKey: threadKey, at: now)
                index[conversation.id] = outcome.touched.count
                outcome.touched.append(Touched(conversation: conversation, previous: nil))
                byParty[party, default: []].append(conversation.id)
                outcome.links.append(Link(interactionID: interaction.id, conversationID: conversation.id, opened: true))
            }
        }
        // Candidates nothing joined were not touched after all.
        outcome.touched.removeAll { $0.previous == $0.conversation }
        return outcome
    }

    private struct PartyOnChannel: Hashable {
        var customerID: String
        var channelID: String

        init(customerID: String, channelID: String) {
            self.customerID = customerID
            self.channelID = channelID
        }

        init(_ conversation: Conversation) {
            self.init(customerID: conversation.customerID, channelID: conversation.channelID)
        }
    }
}

extension ConversationThreading {
    /// The conversation after `interaction` joined it: counted, its last contact moved on, and its
    /// status following the direction (a customer's message reopens it; a reply to an open one
    /// leaves it pending the customer's answer). An automatic reply (an out-of-office answer,
    /// flagged `auto_reply` by the channel) is no one writing: it changes no status.
    public static func joining(_ interaction: Interaction, to conversation: Conversation, at now: Timestamp) -> Conversation {
        var next = conversation
        next.interactionCount += 1
        next.lastInteractionAt = max(conversation.lastInteractionAt, interaction.occurredAt)
        if isAutomatic(interaction) {
            // Counted and dated, nothing more.
        } else if interaction.direction == .inbound, conversation.status != .open {
            next.status = .open
            next.snoozedUntil = nil
            next.resolvedAt = nil
        } else if interaction.direction == .outbound, conversation.status == .open {
            next.status = .pending
        }
        next.updatedAt = now
        return next
    }

    /// Whether the channel flagged the interaction as an automatic reply (`metadata.flags`).
    public static func isAutomatic(_ interaction: Interaction) -> Bool {
        interaction.metadata["flags"]?.arrayValue?.contains(.string("auto_reply")) ?? false
    }

    /// The conversation `interaction` opens: open when the customer wrote, pending when the
    /// company did; its subject is the interaction's (or the start of its body).
    public static func opening(id: String, by interaction: Interaction, threadKey: String?, at now: Timestamp) -> Conversation {
        Conversation(
            id: id, customerID: interaction.customerID, channelID: interaction.channelID, threadKey: threadKey,
            subject: interaction.subject ?? interaction.body.map { String($0.prefix(120)) },
            status: interaction.direction == .inbound ? .open : .pending, interactionCount: 1,
            lastInteractionAt: interaction.occurredAt, createdAt: now, updatedAt: now)
    }
}
