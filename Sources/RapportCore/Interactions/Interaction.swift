/// One touchpoint between a customer and the company on one channel.
public struct Interaction: Sendable, Equatable {
    public var id: String
    public var customerID: String
    public var channelID: String
    public var direction: InteractionDirection
    public var kind: InteractionKind
    public var subject: String?
    public var body: String?
    public var metadata: JSONObject
    public var occurredAt: Timestamp
    /// The channel's own id for this touchpoint; unique per channel, so retries are recognised.
    public var externalID: String?
    public var createdAt: Timestamp

    public init(id: String, customerID: String, channelID: String, direction: InteractionDirection, kind: InteractionKind,
                subject: String?, body: String?, metadata: JSONObject, occurredAt: Timestamp, externalID: String?,
                createdAt: Timestamp) {
        self.id = id
        self.customerID = customerID
        self.channelID = channelID
        self.direction = direction
        self.kind = kind
        self.subject = subject
        self.body = body
        self.metadata = metadata
        self.occurredAt = occurredAt
        self.externalID = externalID
        self.createdAt = createdAt
    }

    public var json: JSONValue {
        .object(JSONObject(distinctKeys: [
            ("id", .string(id)),
            ("customer_id", .string(customerID)),
            ("channel_id", .string(channelID)),
            ("direction", .string(direction.rawValue)),
            ("kind", .string(kind.rawValue)),
            ("subject", subject.map(JSONValue.string) ?? .null),
            ("body", body.map(JSONValue.string) ?? .null),
            ("metadata", .object(metadata)),
            ("occurred_at", .string(occurredAt.rfc3339)),
            ("external_id", externalID.map(JSONValue.string) ?? .null),
            ("created_at", .string(createdAt.rfc3339)),
        ]))
    }
}

/// Whether the customer reached out or the company did.
public enum InteractionDirection: String, Sendable, CaseIterable {
    case inbound
    case outbound
}

/// What kind of touchpoint an interaction is.
public enum InteractionKind: String, Sendable, CaseIterable {
    case message
    case email
    case call
    case meeting
    case visit
    case purchase
    case pageView = "page_view"
    case formSubmission = "form_submission"
    case review
    case note
}

extension Interaction {
    /// Reads back what `json` wrote (an event's `data.interaction`); nil when it is not one.
    public init?(record: JSONValue) {
        guard let object = record.objectValue, let id = object["id"]?.stringValue, let customerID = object["customer_id"]?.stringValue,
              let channelID = object["channel_id"]?.stringValue,
              let direction = object["direction"]?.stringValue.flatMap(InteractionDirection.init(rawValue:)),
              let kind = object["kind"]?.stringValue.flatMap(InteractionKind.init(rawValue:)),
              let occurredAt = object["occurred_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let createdAt = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        self.init(id: id, customerID: customerID, channelID: channelID, direction: direction, kind: kind,
                  subject: object["subject"]?.stringValue, body: object["body"]?.stringValue,
                  metadata: object["metadata"]?.objectValue ?? JSONObject(), occurredAt: occurredAt,
                  externalID: object["external_id"]?.stringValue, createdAt: createdAt)
    }
}
