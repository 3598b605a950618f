import RapportCore

/// Conversations: threading interactions, their state and assignment, and routing decisions.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol ConversationStore: Sendable {
    func conversation(_ id: String) async throws -> Conversation?

    /// An inbox: newest activity first, with per-status counts over the same filter.
    func conversations(matching filter: ConversationFilter, limit: Int, cursor: String?) async throws -> ConversationInbox

    /// The interactions of a conversation in time order.
    func interactions(inConversation id: String, limit: Int) async throws -> [Interaction]

    /// The conversation an interaction was threaded into (in the transaction that stored it).
    func conversationID(ofInteraction id: String) async throws -> String?

    /// Routing decisions for a conversation, oldest first.
    func routingDecisions(conversationID: String, limit: Int) async throws -> [StoredRoutingDecision]

    /// Routing decisions made for an interaction.
    func routingDecisions(interactionID: String) async throws -> [StoredRoutingDecision]

    /// Places a stored interaction that is in no conversation (one stored before threading moved
    /// into ingest) in its conversation (joining one or opening one); the caller saves the conversation and then
    /// `link`s them. A new inbound message reopens a pending, snoozed or resolved conversation.
    /// Nil for interactions that are not conversation (page views, purchases, notes).
    func thread(_ interaction: Interaction, threading: ConversationThreading, in tx: WriteTransaction) async throws -> ThreadedInteraction?

    /// Stores a conversation (inserting it when `previous` is nil) and appends its event, listing
    /// the fields that changed. Nothing is written when nothing changed.
    func saveConversation(_ conversation: Conversation, previous: Conversation?, actor: Actor, directory: RoutingDirectory?,
                          in tx: WriteTransaction) async throws

    /// Applies a routing plan's actions to a conversation: department and queue (by id or key),
    /// priority, tags, skills, suppression, and the assignee (named, or by the queue's strategy
    /// when the conversation has none or changed queue). Returns what could not be applied.
    func apply(_ actions: RoutingActions, to conversation: inout Conversation, directory: RoutingDirectory?,
               in tx: WriteTransaction) async throws -> [String]

    /// A person's change to a conversation: status, priority, tags, department, queue, assignee,
    /// suppression. A new department or queue without a named assignee lets the queue assign.
    func updateConversation(id: String, changes: ConversationChanges, actor: Actor, in tx: WriteTransaction) async throws -> Conversation

    /// A conversation read in this transaction, locked on PostgreSQL.
    func conversationForUpdate(_ id: String, in tx: WriteTransaction) async throws -> Conversation?

    /// The active conversations of a customer.
    func activeConversations(ofCustomer id: String, in tx: WriteTransaction) async throws -> [Conversation]

    /// The interaction with this id, read in this transaction.
    func interactionRecord(_ id: String, in tx: WriteTransaction) async throws -> Interaction?

    /// Takes the consumer's turn for this transaction and reads its saved position; nil when
    /// another node holds the turn now (PostgreSQL: a transaction-scoped advisory lock, tried
    /// without waiting, so a busy node never blocks this writer's other work).
    func claimTurn(of name: String, in tx: WriteTransaction) async throws -> Int64??

    /// The conversations these interactions were threaded into, by interaction id (locked on PostgreSQL).
    func linkedConversations(among ids: [String], in tx: WriteTransaction) async throws -> [String: Conversation]

    /// The interaction that opened a conversation (its first), read in this transaction.
    func openingInteraction(ofConversation id: String, in tx: WriteTransaction) async throws -> Interaction?

    /// Threads interactions stored in this transaction into conversations, for the whole batch at
    /// once, appending the conversations' events by `Actor.threading`.
    func threadIngested(_ interactions: [Interaction], in tx: WriteTransaction) async throws

    /// The conversations this transaction's ingest threaded its interactions into, by interaction
    /// id, as threading left them (empty before threading ran).
    func threadedAtIngest(in tx: WriteTransaction) -> [String: Conversation]

    /// Customers as the API shows them, by id (the missing and the deleted left out).
    func customerRecords(_ ids: [String], in tx: WriteTransaction) async throws -> [String: JSONValue]

    /// Records that interactions belong to conversations; call after saving the conversations.
    func link(_ links: [(interactionID: String, conversationID: String)], in tx: WriteTransaction) async throws

    /// Records routing decisions; call after saving their conversations.
    func recordDecisions(_ decisions: [RoutingDecisionRow], in tx: WriteTransaction) async throws
}

/// The SQL implementation of `ConversationStore`, on SQLite or PostgreSQL.
public struct SQLConversationStore: ConversationStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
