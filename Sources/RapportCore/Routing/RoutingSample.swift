/// Validated body of `POST /v1/rules/dry-run`: a sample message and, optionally, rules to try
/// instead of the stored ones.
public struct RoutingSample: Sendable {
    public var trigger: RoutingTrigger
    public var channelID: String?
    public var customerID: String?
    public var interaction: Interaction
    /// Rule definitions to evaluate instead of the stored rules.
    public var rules: [RoutingRuleDraft]?

    public static func read(_ value: JSONValue, keywordSets: Set<String>) throws(ValidationFailure) -> RoutingSample {
        var reader = try InputReader(value)
        let trigger: RoutingTrigger = reader.enumeration("trigger") ?? .interactionCreated
        let channelID = reader.string("channel_id", maxLength: 64)
        let customerID = reader.string("customer_id", maxLength: 64)
        let direction: InteractionDirection = reader.enumeration("direction") ?? .inbound
        let kind: InteractionKind = reader.enumeration("kind") ?? .message
        let subject = reader.string("subject", maxLength: 1_000)
        let body = reader.string("body", maxLength: NewInteraction.maxBodyLength)
        var metadata = JSONObject()
        if case .set(let object) = reader.object("metadata", maxKeys: 200) { metadata = object }
        if subject == nil, body == nil { reader.fail("body", "give a subject or a body to route") }
        var rules: [RoutingRuleDraft]?
        if let raw = reader.value("rules") {
            if case .array(let items) = raw, items.count <= 500 {
                var drafts: [RoutingRuleDraft] = []
                for (index, item) in items.enumerated() {
                    do throws(ValidationFailure) {
                        drafts.append(try RoutingRuleDraft.read(item, keywordSets: keywordSets))
                    } catch {
                        for issue in error.issues { reader.fail("rules[\(index)].\(issue.field)", issue.message) }
                    }
                }
                rules = drafts
            } else {
                reader.fail("rules", "expected an array of at most 500 rule definitions")
            }
        }
        try reader.finish()
        let now = Timestamp.now()
        let interaction = Interaction(id: "dry-run", customerID: customerID ?? "dry-run", channelID: channelID ?? "dry-run",
                                      direction: direction, kind: kind, subject: subject, body: body, metadata: metadata,
                                      occurredAt: now, externalID: nil, createdAt: now)
        return RoutingSample(trigger: trigger, channelID: channelID, customerID: customerID, interaction: interaction, rules: rules)
    }

    /// The draft rules as rules with positional ids (`draft-0`, …), in the order given.
    public var draftRules: [RoutingRule]? {
        rules.map { drafts in
            drafts.enumerated().map { index, draft in
                RoutingRule(id: "draft-\(index)", name: draft.name, trigger: draft.trigger, position: draft.position ?? Int64(index),
                            enabled: draft.enabled, stop: draft.stop, conditions: draft.conditions, actions: draft.actions,
                            createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
            }
        }
    }
}
