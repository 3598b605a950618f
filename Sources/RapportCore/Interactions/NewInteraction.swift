/// Who an incoming interaction belongs to: a known customer, or an identity to resolve.
public enum InteractionParty: Sendable, Equatable {
    case customer(String)
    case identity(Identity)
}

/// The validated body of `POST /v1/interactions`.
public struct NewInteraction: Sendable, Equatable {
    public var channelID: String
    public var party: InteractionParty
    /// Name for the customer created when the identity is unknown.
    public var customerName: String?
    public var direction: InteractionDirection
    public var kind: InteractionKind
    public var subject: String?
    public var body: String?
    public var metadata: JSONObject
    public var occurredAt: Timestamp?
    public var externalID: String?

    public init(channelID: String, party: InteractionParty, customerName: String? = nil,
                direction: InteractionDirection = .inbound, kind: InteractionKind = .message,
                subject: String? = nil, body: String? = nil, metadata: JSONObject = JSONObject(),
                occurredAt: Timestamp? = nil, externalID: String? = nil) {
        self.channelID = channelID
        self.party = party
        self.customerName = customerName
        self.direction = direction
        self.kind = kind
        self.subject = subject
        self.body = body
        self.metadata = metadata
        self.occurredAt = occurredAt
        self.externalID = externalID
    }

    public static let maxBodyLength = 100_000

    public static func read(_ value: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> NewInteraction {
        var reader = try InputReader(value)
        let channelID = reader.string("channel_id", required: true, maxLength: 64)
        let customerID = reader.string("customer_id", maxLength: 64)
        var identity: Identity?
        if let text = reader.string("identity", maxLength: 500) {
            do throws(IdentityError) {
                identity = try normalizer.parse(text)
            } catch {
                reader.fail("identity", error.message)
            }
        }
        if customerID != nil, reader.object["identity"] != nil {
            reader.fail("identity", "give either customer_id or identity, not both")
        } else if customerID == nil, reader.object["identity"] == nil {
            reader.fail("customer_id", "either customer_id or identity (kind:value) is required")
        }
        let customerName = reader.string("customer_name", maxLength: 300)
        let direction: InteractionDirection = reader.enumeration("direction") ?? .inbound
        let kind: InteractionKind = reader.enumeration("kind") ?? .message
        let subject = reader.string("subject", maxLength: 1_000)
        let body = reader.string("body", maxLength: maxBodyLength)
        var metadata = JSONObject()
        if case .set(let object) = reader.object("metadata", maxKeys: 200) { metadata = object }
        let occurredAt = reader.timestamp("occurred_at")
        let externalID = reader.string("external_id", maxLength: 300)
        try reader.finish()
        let party: InteractionParty = if let customerID { .customer(customerID) } else { .identity(identity!) }
        return NewInteraction(channelID: channelID!, party: party, customerName: customerName, direction: direction,
                              kind: kind, subject: subject, body: body, metadata: metadata,
                              occurredAt: occurredAt, externalID: externalID)
    }
}
