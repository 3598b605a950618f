import RapportCore
import RapportStore

/// What one routing transaction reads up front and writes at its end, so that a batch of events
/// costs a few statements rather than a few per event: which interactions are threaded already,
/// the customers the rules look at, and the links and decisions to insert.
final class RoutingBatch {
    /// Interactions of the batch already in a conversation (routed before).
    let threaded: Set<String>
    /// Customers of the batch's interactions, read when the rules look at customers.
    private var customers: [String: JSONValue]
    private var links: [(interactionID: String, conversationID: String)] = []
    private var decisions: [RoutingDecisionRow] = []

    private let conversations: any ConversationStore

    private init(conversations: any ConversationStore, threaded: Set<String>, customers: [String: JSONValue]) {
        self.conversations = conversations
        self.threaded = threaded
        self.customers = customers
    }

    /// Reads what routing `events` needs; `readsCustomers` when rules of the interaction triggers
    /// look at the customer.
    static func prepare(_ events: some Collection<Event>, readsCustomers: Bool, conversations: any ConversationStore,
                        in tx: WriteTransaction) async throws -> RoutingBatch {
        var interactionIDs: [String] = []
        var customerIDs: [String] = []
        for event in events where event.type == "rapport.interaction.created" {
            guard let record = event.data.objectValue?["interaction"]?.objectValue else { continue }
            if let id = record["id"]?.stringValue { interactionIDs.append(id) }
            if let customer = record["customer_id"]?.stringValue { customerIDs.append(customer) }
        }
        return RoutingBatch(conversations: conversations, threaded: try await conversations.threadedInteractions(among: interactionIDs, in: tx),
                            customers: readsCustomers ? try await conversations.customerRecords(customerIDs, in: tx) : [:])
    }

    /// The customer as the API shows it (`null` when missing), from the batch's reads or the store.
    func customer(_ id: String, in tx: WriteTransaction) async throws -> JSONValue {
        if let known = customers[id] { return known }
        let record = try await conversations.customerRecords([id], in: tx)[id] ?? .null
        customers[id] = record
        return record
    }

    func link(_ interactionID: String, to conversationID: String) {
        links.append((interactionID, conversationID))
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
