/// What routing will do to one conversation, and why: the rules' outcome completed by the
/// classifier's label or triage where the rules left the department open.
public struct RoutingPlan: Sendable, Equatable {
    public var actions: RoutingActions
    public var outcome: RuleOutcome
    public var prediction: RoutingPrediction?
    /// Why the department was chosen: `rule`, `prediction`, `triage`, or nil when it stays as it was.
    public var reason: String?

    public init(actions: RoutingActions, outcome: RuleOutcome, prediction: RoutingPrediction?, reason: String?) {
        self.actions = actions
        self.outcome = outcome
        self.prediction = prediction
        self.reason = reason
    }

    /// Combines the rules' outcome with the prediction and settings.
    ///
    /// Rules win. Where they set no department: a confident prediction whose label names a known
    /// department (`finance` or `finance/refunds`) routes there; an unsure one goes to triage.
    public static func make(outcome: RuleOutcome, prediction: RoutingPrediction?, settings: RoutingSettings,
                            isKnownDepartment: (String) -> Bool, alreadyRouted: Bool) -> RoutingPlan {
        var plan = RoutingPlan(actions: outcome.actions, outcome: outcome, prediction: prediction, reason: nil)
        if outcome.actions.department != nil || outcome.actions.queue != nil {
            plan.reason = "rule"
            return plan
        }
        guard !alreadyRouted, outcome.actions.suppress == nil else { return plan }
        if let prediction, settings.classifierEnabled {
            if prediction.confidence >= settings.minConfidence {
                if settings.routeByLabel {
                    let parts = prediction.label.split(separator: "/", maxSplits: 1).map(String.init)
                    if let department = parts.first, isKnownDepartment(department) {
                        plan.actions.department = department
                        plan.actions.queue = parts.count > 1 ? parts[1] : nil
                        plan.reason = "prediction"
                    }
                }
                if plan.reason != nil { return plan }
            } else if let triage = settings.triageDepartment {
                plan.actions.department = triage
                plan.actions.queue = settings.triageQueue
                plan.reason = "triage"
                return plan
            }
        }
        if let triage = settings.triageDepartment {
            plan.actions.department = triage
            plan.actions.queue = settings.triageQueue
            plan.reason = "triage"
        }
        return plan
    }

    public var json: JSONValue {
        [
            "reason": reason.map(JSONValue.string) ?? .null,
            "actions": actions.json,
            "matched_rules": .array(outcome.matched.map(\.json)),
            "failed_rules": .array(outcome.failures.map(\.json)),
            "stopped_by": outcome.stoppedBy.map(JSONValue.string) ?? .null,
            "prediction": prediction?.json ?? .null,
        ]
    }

    /// The decision as recorded and shown: the plan, the keyword hits with offsets, business
    /// hours, what could not be applied, and the conversation's routing after it (when applied).
    public func record(keywordHits: [String: [KeywordHit]], withinBusinessHours: Bool?, problems: [String],
                       result: Conversation?, milliseconds: Double?) -> JSONValue {
        var object = json.objectValue ?? JSONObject()
        var keywords = JSONObject()
        for (name, hits) in keywordHits.sorted(by: { $0.key < $1.key }) { keywords[name] = .array(hits.map(\.json)) }
        object["keywords"] = .object(keywords)
        object["within_business_hours"] = withinBusinessHours.map(JSONValue.bool) ?? .null
        object["problems"] = .array(problems.map(JSONValue.string))
        if let result {
            var routing = JSONObject()
            routing["department_id"] = result.departmentID.map(JSONValue.string) ?? .null
            routing["queue_id"] = result.queueID.map(JSONValue.string) ?? .null
            routing["assignee_id"] = result.assigneeID.map(JSONValue.string) ?? .null
            routing["priority"] = .string(result.priority.rawValue)
            routing["suppressed"] = result.suppressed.map { .string($0.rawValue) } ?? .null
            object["result"] = .object(routing)
        }
        if let milliseconds { object["duration_ms"] = .double(milliseconds) }
        return .object(object)
    }
}
