/// A handoff as `POST /v1/handoffs` takes it.
public struct HandoffDraft: Sendable, Equatable {
    public var kind: HandoffKind
    /// Id or key; nil: the caller's department (or the kind's).
    public var fromDepartment: String?
    /// Id or key; nil: the kind's.
    public var toDepartment: String?
    public var customerID: String?
    public var conversationID: String?
    public var reason: String
    public var slaMinutes: Int?

    public init(kind: HandoffKind, fromDepartment: String? = nil, toDepartment: String? = nil, customerID: String? = nil,
                conversationID: String? = nil, reason: String, slaMinutes: Int? = nil) {
        self.kind = kind
        self.fromDepartment = fromDepartment
        self.toDepartment = toDepartment
        self.customerID = customerID
        self.conversationID = conversationID
        self.reason = reason
        self.slaMinutes = slaMinutes
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> HandoffDraft {
        var reader = try InputReader(value)
        let kind: HandoffKind = reader.enumeration("kind") ?? .other
        let from = reader.string("from_department_id", maxLength: 64)
        let to = reader.string("to_department_id", maxLength: 64)
        if to == nil, kind == .other, reader.object["to_department_id"] == nil {
            reader.fail("to_department_id", "is required for a handoff of kind other")
        }
        let customerID = reader.string("customer_id", maxLength: 64)
        let conversationID = reader.string("conversation_id", maxLength: 64)
        if customerID == nil, conversationID == nil, reader.issues.isEmpty {
            reader.fail("customer_id", "give customer_id or conversation_id: what the handoff is about")
        }
        let reason = reader.string("reason", required: true, maxLength: 4_000) ?? ""
        let sla = reader.integer("sla_minutes", in: 1...43_200, message: "expected business minutes from 1 to 43200 (90 working days)")
        try reader.finish()
        return HandoffDraft(kind: kind, fromDepartment: from, toDepartment: to, customerID: customerID, conversationID: conversationID,
                            reason: reason, slaMinutes: sla.map(Int.init))
    }
}
