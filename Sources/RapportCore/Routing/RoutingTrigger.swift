/// What makes routing rules run.
public enum RoutingTrigger: String, Sendable, CaseIterable {
    /// An interaction was stored and threaded into a conversation.
    case interactionCreated = "interaction.created"
    /// A conversation was opened (runs after `interaction.created` for its first interaction).
    case conversationCreated = "conversation.created"
    /// A person changed a conversation (status, priority, tags, department, queue, assignee).
    case conversationChanged = "conversation.changed"
    /// A customer's record changed; runs for each of the customer's active conversations.
    case customerChanged = "customer.changed"
}

extension Actor {
    /// Routing's own changes; conversation changes by this actor do not trigger rules again.
    public static let router = Actor(kind: .system, id: "router")
    /// Threading at ingest: interactions joining and opening conversations in the transaction that
    /// stores them. Its conversation changes do not trigger `conversation.changed` rules either;
    /// the conversations it opens trigger `conversation.created` rules.
    public static let threading = Actor(kind: .system, id: "threading")
}
