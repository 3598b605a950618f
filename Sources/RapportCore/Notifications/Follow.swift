/// A user following a customer, or one of its conversations, to hear about notes on it.
public struct Follow: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var customerID: String
    public var conversationID: String?
    public var createdAt: Timestamp

    public init(id: String, userID: String, customerID: String, conversationID: String?, createdAt: Timestamp) {
        self.id = id
        self.userID = userID
        self.customerID = customerID
        self.conversationID = conversationID
        self.createdAt = createdAt
    }

    public var json: JSONValue {
        ["id": .string(id), "user_id": .string(userID), "customer_id": .string(customerID),
         "conversation_id": conversationID.map(JSONValue.string) ?? .null, "created_at": .string(createdAt.rfc3339)]
    }
}
