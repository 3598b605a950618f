/// A committed change, as it stands on the ordered log.
public struct Event: Sendable, Equatable {
    /// Position on the log: gapless, starting at 1, in commit order.
    public var sequence: Int64
    public var id: String
    /// e.g. `rapport.customer.updated`.
    public var type: String
    /// The id of the record the event is about (a customer id for customer and interaction events).
    public var subject: String
    public var time: Timestamp
    public var data: JSONValue

    public init(sequence: Int64, id: String, type: String, subject: String, time: Timestamp, data: JSONValue) {
        self.sequence = sequence
        self.id = id
        self.type = type
        self.subject = subject
        self.time = time
        self.data = data
    }

    public static let source = "/rapport"

    /// The `sequence` extension value: zero-padded so that string order is log order.
    public static func sequenceText(_ sequence: Int64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The event in CloudEvents 1.0 structured JSON form.
    public var cloudEvent: JSONValue {
        [
            "specversion": "1.0",
            "id": .string(id),
            "source": .string(Event.source),
            "type": .string(type),
            "subject": .string(subject),
            "time": .string(time.rfc3339),
            "datacontenttype": "application/json",
            "sequence": .string(Event.sequenceText(sequence)),
            "data": data,
        ]
    }
}

/// A change to be appended to the log when its transaction commits.
public struct EventDraft: Sendable, Equatable {
    public var type: String
    public var subject: String
    public var data: JSONValue

    public init(type: String, subject: String, data: JSONValue) {
        self.type = type
        self.subject = subject
        self.data = data
    }

    /// The usual shape: what changed, the record after the change, who did it, through which channel.
    public static func change(
        _ entity: String, _ change: String, subject: String, record: JSONValue, changedFields: [String],
        actor: Actor, channelID: String? = nil
    ) -> EventDraft {
        let data = JSONObject(distinctKeys: [
            ("change", .string(change)),
            (entity, record),
            ("changed_fields", .array(changedFields.map(JSONValue.string))),
            ("actor", actor.json),
            ("channel_id", channelID.map(JSONValue.string) ?? .null),
        ])
        return EventDraft(type: "rapport.\(entity).\(change)", subject: subject, data: .object(data))
    }
}
