/// Who follows a set of customers (the whole customer, or one conversation of it), read for many
/// customers at once: the router answers "who hears that this customer wrote?" for a batch of
/// messages from memory instead of asking the database once per message.
public struct CustomerFollows: Sendable, Equatable {
    /// The customers whose follows were read; for any other the answer is not known here.
    public let customerIDs: Set<String>
    /// Per customer: each follow's user and conversation (nil when the customer is followed).
    private var byCustomer: [String: [Followed]]

    struct Followed: Sendable, Equatable {
        var userID: String
        var conversationID: String?
    }

    /// `follows` of active users: (user, customer, conversation or nil), for exactly `customerIDs`.
    public init(customerIDs: Set<String>, follows: [(userID: String, customerID: String, conversationID: String?)]) {
        self.customerIDs = customerIDs
        var byCustomer: [String: [Followed]] = [:]
        for follow in follows where customerIDs.contains(follow.customerID) {
            byCustomer[follow.customerID, default: []].append(Followed(userID: follow.userID, conversationID: follow.conversationID))
        }
        self.byCustomer = byCustomer
    }

    public static let none = CustomerFollows(customerIDs: [], follows: [])

    public func covers(_ customerID: String) -> Bool {
        customerIDs.contains(customerID)
    }

    /// The users who follow the customer, or this conversation of it (following the customer
    /// covers its conversations), each once and in id order.
    public func followers(ofCustomer customerID: String, conversationID: String?) -> [String] {
        let users = (byCustomer[customerID] ?? []).filter { $0.conversationID == nil || $0.conversationID == conversationID }.map(\.userID)
        return Set(users).sorted()
    }
}
