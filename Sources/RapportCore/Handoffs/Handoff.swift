/// A request from one department to another about a customer (or one of its conversations):
/// why, by when it must be answered (the SLA, in the receiving department's business hours), and
/// where it stands. It cannot be lost: until someone of the department accepts or declines it, it
/// is the whole department's, shown as unanswered, and past its time it escalates to the
/// department's managers.
public struct Handoff: Sendable, Equatable {
    public var id: String
    public var kind: HandoffKind
    public var fromDepartmentID: String
    public var toDepartmentID: String
    public var customerID: String
    public var conversationID: String?
    public var reason: String
    public var status: HandoffStatus
    public var requestedBy: Actor
    /// The user of the receiving department who accepted it.
    public var acceptedBy: String?
    /// Business minutes the receiving department has to answer.
    public var slaMinutes: Int
    public var answerDueAt: Timestamp
    public var escalatedAt: Timestamp?
    public var declineReason: String?
    public var outcome: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var answeredAt: Timestamp?
    public var completedAt: Timestamp?
    public var version: Int64

    public init(id: String, kind: HandoffKind, fromDepartmentID: String, toDepartmentID: String, customerID: String, conversationID: String?,
                reason: String, status: HandoffStatus, requestedBy: Actor, acceptedBy: String?, slaMinutes: Int, answerDueAt: Timestamp,
                escalatedAt: Timestamp?, declineReason: String?, outcome: String?, createdAt: Timestamp, updatedAt: Timestamp,
                answeredAt: Timestamp?, completedAt: Timestamp?, version: Int64) {
        self.id = id
        self.kind = kind
        self.fromDepartmentID = fromDepartmentID
        self.toDepartmentID = toDepartmentID
        self.customerID = customerID
        self.conversationID = conversationID
        self.reason = reason
        self.status = status
        self.requestedBy = requestedBy
        self.acceptedBy = acceptedBy
        self.slaMinutes = slaMinutes
        self.answerDueAt = answerDueAt
        self.escalatedAt = escalatedAt
        self.declineReason = declineReason
        self.outcome = outcome
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.answeredAt = answeredAt
        self.completedAt = completedAt
        self.version = version
    }

    /// Still waiting for an answer.
    public var isUnanswered: Bool { status == .requested }

    public func json(at now: Timestamp) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["kind"] = .string(kind.rawValue)
        object["from_department_id"] = .string(fromDepartmentID)
        object["to_department_id"] = .string(toDepartmentID)
        object["customer_id"] = .string(customerID)
        object["conversation_id"] = conversationID.map(JSONValue.string) ?? .null
        object["reason"] = .string(reason)
        object["status"] = .string(status.rawValue)
        object["unanswered"] = .bool(isUnanswered)
        object["requested_by"] = requestedBy.json
        object["accepted_by"] = acceptedBy.map(JSONValue.string) ?? .null
        object["sla_minutes"] = .integer(Int64(slaMinutes))
        object["answer_due_at"] = .string(answerDueAt.rfc3339)
        object["sla_breached"] = .bool(escalatedAt != nil || (isUnanswered && answerDueAt <= now))
        object["escalated_at"] = escalatedAt.map { .string($0.rfc3339) } ?? .null
        object["decline_reason"] = declineReason.map(JSONValue.string) ?? .null
        object["outcome"] = outcome.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        object["answered_at"] = answeredAt.map { .string($0.rfc3339) } ?? .null
        object["completed_at"] = completedAt.map { .string($0.rfc3339) } ?? .null
        object["version"] = .integer(version)
        return .object(object)
    }

    public var etag: String { "\"\(id)-v\(version)\"" }

    /// What happens to the handoff on `step` at `now`; the new handoff and the event's change name,
    /// or why the step cannot be taken now.
    public func taking(_ step: HandoffStep, at now: Timestamp) -> Result<(Handoff, String), HandoffRefusal> {
        var next = self
        next.updatedAt = now
        next.version += 1
        switch step {
        case .accept(let userID):
            guard status == .requested else { return .failure(.notRequested(status, "accepted")) }
            next.status = .accepted
            next.acceptedBy = userID
            next.answeredAt = now
            return .success((next, "accepted"))
        case .decline(let reason):
            guard status == .requested else { return .failure(.notRequested(status, "declined")) }
            next.status = .declined
            next.declineReason = reason
            next.answeredAt = now
            return .success((next, "declined"))
        case .complete(let outcome):
            guard status == .accepted else { return .failure(.notAccepted(status)) }
            next.status = .done
            next.outcome = outcome
            next.completedAt = now
            return .success((next, "done"))
        case .cancel:
            guard status == .requested || status == .accepted else { return .failure(.finished(status)) }
            next.status = .cancelled
            return .success((next, "cancelled"))
        case .escalate:
            guard status == .requested, escalatedAt == nil, answerDueAt <= now else { return .failure(.notLapsed) }
            next.escalatedAt = now
            return .success((next, "escalated"))
        }
    }
}

public enum HandoffStatus: String, Sendable, CaseIterable {
    case requested
    case accepted
    case declined
    case done
    case cancelled
}

/// A step in a handoff's life.
public enum HandoffStep: Sendable, Equatable {
    case accept(userID: String?)
    case decline(reason: String)
    case complete(outcome: String?)
    case cancel
    /// The SLA lapsed without an answer.
    case escalate
}

/// Why a step cannot be taken.
public enum HandoffRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case notRequested(HandoffStatus, String)
    case notAccepted(HandoffStatus)
    case finished(HandoffStatus)
    case notLapsed

    public var description: String {
        switch self {
        case .notRequested(let status, let step): "the handoff is \(status.rawValue): only a requested handoff can be \(step)"
        case .notAccepted(let status): "the handoff is \(status.rawValue): only an accepted handoff can be done"
        case .finished(let status): "the handoff is \(status.rawValue) already"
        case .notLapsed: "the handoff is answered, escalated already, or still within its time"
        }
    }
}

/// The seed's scenarios, each from one department to another, with the time to answer.
public enum HandoffKind: String, Sendable, CaseIterable {
    /// Service hands customer feedback to sales.
    case feedback
    /// Service passes sales an upsell lead.
    case upsellLead = "upsell_lead"
    /// Sales tells marketing what customers need, for a campaign.
    case customerNeeds = "customer_needs"
    /// Sales hands a won deal to finance to invoice.
    case wonDeal = "won_deal"
    /// Marketing passes sales a qualified lead.
    case qualifiedLead = "qualified_lead"
    /// Anything else, between any two departments.
    case other

    /// The departments (by key) the kind goes between; nil for `other`.
    public var route: (from: String, to: String)? {
        switch self {
        case .feedback, .upsellLead: ("service", "sales")
        case .customerNeeds: ("sales", "marketing")
        case .wonDeal: ("sales", "finance")
        case .qualifiedLead: ("marketing", "sales")
        case .other: nil
        }
    }

    /// Business minutes to answer when the request does not say.
    public var defaultSLAMinutes: Int {
        switch self {
        case .wonDeal: 480
        case .customerNeeds: 960
        default: 240
        }
    }
}
