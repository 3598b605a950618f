/// A step a handoff took — requested, accepted, declined, done, cancelled or escalated — with who
/// took it, when, and the handoff as it stood right after: what the customer's timeline and both
/// departments' feeds show.
public struct HandoffStepRecord: Sendable, Equatable {
    public var id: String
    /// `requested`, `accepted`, `declined`, `done`, `cancelled` or `escalated` (the event's change).
    public var step: String
    public var actor: Actor
    public var at: Timestamp
    public var handoff: Handoff

    public init(id: String, step: String, actor: Actor, at: Timestamp, handoff: Handoff) {
        self.id = id
        self.step = step
        self.actor = actor
        self.at = at
        self.handoff = handoff
    }

    /// The escalation when the SLA lapsed unanswered.
    public var isSLABreach: Bool { step == "escalated" }

    /// What the step says in words of its own: the reason asked, the reason declined, the outcome.
    public var detail: String? {
        switch step {
        case "requested": handoff.reason
        case "declined": handoff.declineReason
        case "done": handoff.outcome
        default: nil
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["step"] = .string(step)
        object["at"] = .string(at.rfc3339)
        object["actor"] = actor.json
        object["detail"] = detail.map(JSONValue.string) ?? .null
        object["sla_breach"] = .bool(isSLABreach)
        object["handoff"] = handoff.json(at: at)
        return .object(object)
    }
}
