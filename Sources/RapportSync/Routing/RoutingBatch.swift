import RapportCore
import RapportStore

/// What one routing transaction reads up front and writes at its end, so that a batch of events
/// costs a few statements rather than a few per event: the conversations its interactions were
/// threaded into, the customers the rules look at, who follows those customers, and the links and
/// decisions to insert.
final class RoutingBatch {
    /// Interaction id → conversation id, for the batch's interactions that are in a conversation.
    private var linked: [String: String]
    /// The batch's conversations as routing has left them so far, by id.
    private var conversationsByID: [String: Conversation]
    /// Customers of the batch's interactions, read when the rules look at customers.
    private var customers: [String: JSONValue]
    /// Who follows the customers of the batch's interactions.
    private let follows: CustomerFollows
    private var links: [(interactionID: String, conversationID: String)] = []
    private var decisions: [RoutingDecisionRow] = []

    private let conversations: any ConversationStore
    private let notifications: any NotificationStore

    private init(conversations: any ConversationStore, notifications: any NotificationStore, linked: [String: Conversation],
                 customers: [String: JSONValue], follows: CustomerFollows) {
        self.conversations = conversations
        self.notifications = notifications
        self.follows = follows
        self.linked = linked.mapValues(\.id)
        self.conversationsByID = Dictionary(linked.values.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.customers = customers
    }

    /// Reads what routing `events` needs; `readsCustomers` when rules of the interaction triggers
    /// look at the customer.
    static func prepare(_ events: some Collection<Event>, readsCustomers: Bool, conversations: any ConversationStore,
                        notifications: any NotificationStore, in tx: WriteTransaction) async throws -> RoutingBatch {
        var interactionIDs: [String] = []
        var customerIDs: [String] = []
        for event in events where event.type == "rapport.interaction.created" {
            guard let record = event.data.objectValue?["interaction"]?.objectValue else { continue }
            if let id = record["id"]?.stringValue { interactionIDs.append(id) }
            if let customer = record["customer_id"]?.stringValue { customerIDs.append(customer) }
        }
        return RoutingBatch(conversations: conversations, notifications: notifications,
                            linked: try await conversations.linkedConversations(among: interactionIDs, in: tx),
                            customers: readsCustomers ? try await conversations.customerRecords(customerIDs, in: tx) : [:],
                            follows: customerIDs.isEmpty ? .none : try await notifications.follows(ofCustomers: Set(customerIDs), in: tx))
    }

    /// What routing needs in the transaction that ingested the interactions: their conversations
    /// as threading left them there (`threaded`, by interaction id), not read again.
    static func atIngest(threaded: [String: Conversation], readsCustomers: Bool,
                         conversations: any ConversationStore, notifications: any NotificationStore,
                         in tx: WriteTransaction) async throws -> RoutingBatch {
        let customerIDs = Set(threaded.values.map(\.customerID))
        return RoutingBatch(conversations: conversations, notifications: notifications, linked: threaded,
                            customers: readsCustomers ? try await conversations.customerRecords(Array(customerIDs), in: tx) : [:],
                            follows: customerIDs.isEmpty ? .none : try await notifications.follows(ofCustomers: customerIDs, in: tx))
    }

    /// The conversation an interaction of the batch is in, as routing has left it so far; nil when
    /// it is in none (not conversation, or stored before threading moved into ingest).
    func conversation(ofInteraction id: String) -> Conversation? {
        linked[id].flatMap { conversationsByID[$0] }
    }

    /// A conversation as routing has left it so far in this batch, or as stored.
    func conversation(_ id: String, in tx: WriteTransaction) async throws -> Conversation? {
        if let known = conversationsByID[id] { return known }
        let stored = try await conversations.conversationForUpdate(id, in: tx)
        if let stored { conversationsByID[id] = stored }
        return stored
    }

    /// Keeps what routing made of a conversation, for the batch's later events.
    func remember(_ conversation: Conversation) {
        conversationsByID[conversation.id] = conversation
    }

    /// The customer as the API shows it (`null` when missing), from the batch's reads or the store.
    func customer(_ id: String, in tx: WriteTransaction) async throws -> JSONValue {
        if let known = customers[id] { return known }
        let record = try await conversations.customerRecords([id], in: tx)[id] ?? .null
        customers[id] = record
        return record
    }

    /// The active users who follow the conversation or its customer, from the batch's read (or
    /// the store, for a customer it did not read: one a merge made the conversation's since).
    func followers(of conversation: Conversation, in tx: WriteTransaction) async throws -> [String] {
        if follows.covers(conversation.customerID) {
            return follows.followers(ofCustomer: conversation.customerID, conversationID: conversation.id)
        }
        return try await notifications.followers(ofCustomer: conversation.customerID, conversationID: conversation.id, in: tx)
    }

    func link(_ interactionID: String, to conversation: Conversation) {
        links.append((interactionID, conversation.id))
        linked[interactionID] = conversation.id
        conversationsByID[conversation.id] = conversation
    }

    func record(_ decision: RoutingDecisionRow) {
        decisions.append(decision)
    }

    /// Inserts the links and decisions gathered; call once, after the last event of the batch.
    func flush(in tx: WriteTransaction) async throws {
        try await conversations.link(links, in: tx)
        try await conversations.recordDecisions(decisions, in: tx)
    }
}
