/// When one of a type's records changes so that a condition becomes true, hand the customer to
/// another department — a CSAT score of 1 opens a `feedback` handoff to sales; a deal entering
/// `won` opens a `won_deal` handoff to finance. Part of the type's definition (`automations`); it
/// runs in the transaction that writes the record, so the handoff commits with it, once.
public struct RecordAutomation: Sendable, Equatable {
    /// What makes it look at a record.
    public enum Trigger: String, Sendable, CaseIterable {
        /// A record is created.
        case created
        /// A record is created or changed (fires when the condition turns true, not again while it stays true).
        case changed
        /// A record enters `stage` (created in it, or moved to it).
        case stage
    }

    public var key: String
    public var label: String
    public var on: Trigger
    public var stage: String?
    /// CEL over `record` (the record as the API shows it); nil: always.
    public var condition: String?
    public var handoffKind: HandoffKind
    /// Department keys or ids; nil: the kind's own route.
    public var from: String?
    public var to: String?
    public var reason: String
    public var slaMinutes: Int?

    public init(key: String, label: String, on: Trigger, stage: String? = nil, condition: String? = nil, handoffKind: HandoffKind,
                from: String? = nil, to: String? = nil, reason: String, slaMinutes: Int? = nil) {
        self.key = key
        self.label = label
        self.on = on
        self.stage = stage
        self.condition = condition
        self.handoffKind = handoffKind
        self.from = from
        self.to = to
        self.reason = reason
        self.slaMinutes = slaMinutes
    }

    public static let maxAutomations = 20
    public static let environment = ExpressionEnvironment([ExpressionEnvironment.Variable("record", .map(.dyn))])

    /// The departments (by id or key) its handoffs go between: those it names, else its kind's.
    public var departments: [(member: String, department: String)] {
        let route = handoffKind.route
        return [("from", from ?? route?.from), ("to", to ?? route?.to)].compactMap { member, department in department.map { (member, $0) } }
    }

    /// As a definition writes it (members without a value left out).
    public var json: JSONValue {
        var handoff = JSONObject()
        handoff["kind"] = .string(handoffKind.rawValue)
        if let from { handoff["from"] = .string(from) }
        if let to { handoff["to"] = .string(to) }
        handoff["reason"] = .string(reason)
        if let slaMinutes { handoff["sla_minutes"] = .integer(Int64(slaMinutes)) }
        var object = JSONObject()
        object["key"] = .string(key)
        object["label"] = .string(label)
        object["on"] = .string(on.rawValue)
        if let stage { object["stage"] = .string(stage) }
        if let condition { object["when"] = .string(condition) }
        object["handoff"] = .object(handoff)
        return .object(object)
    }

    /// Whether the write from `before` (nil: a new record) to `after` fires it.
    public func fires(before: BusinessRecord?, after: BusinessRecord) -> Bool {
        switch on {
        case .created: guard before == nil else { return false }
        case .stage: guard let stage, after.stage == stage, before?.stage != stage else { return false }
        case .changed: break
        }
        let now = holds(for: after)
        if on == .changed, let before, holds(for: before) { return false }
        return now
    }

    private func holds(for record: BusinessRecord) -> Bool {
        guard let condition else { return true }
        guard let compiled = try? CompiledExpression(filter: condition, environment: Self.environment) else { return false }
        return compiled.matches(VariableActivation(["record": record.json]))
    }

    /// Reads a type definition's `automations`, checking stages against the type's pipeline.
    public static func read(_ raw: JSONValue, stages: [PipelineStage], reader: inout InputReader) -> [RecordAutomation] {
        guard let items = raw.arrayValue, items.count <= maxAutomations else {
            reader.fail("automations", "expected a list of at most \(maxAutomations) automations")
            return []
        }
        var automations: [RecordAutomation] = []
        for (index, item) in items.enumerated() {
            do throws(ValidationFailure) {
                var part = try InputReader(item, path: reader.field("automations[\(index)]"))
                let key = part.string("key", required: true, maxLength: 40)
                if let key, !RecordTypeKey.isValid(key) { part.fail("key", "must be lower-case letters, digits and _, starting with a letter") }
                if let key, automations.contains(where: { $0.key == key }) { part.fail("key", "\(key) is already an automation") }
                let label = part.string("label", maxLength: 200)
                let on: Trigger? = part.enumeration("on", required: true)
                let stage = part.string("stage", maxLength: 40)
                if on == .stage {
                    if stage == nil { part.fail("stage", "an automation on a stage names the stage") }
                    else if let stage, !stages.contains(where: { $0.key == stage }) { part.fail("stage", "\(stage) is not a stage of this type") }
                } else if stage != nil {
                    part.fail("stage", "only an automation on a stage names one")
                }
                let condition = part.string("when", maxLength: 2_000)
                if let condition {
                    do throws(ExpressionError) { _ = try CompiledExpression(filter: condition, environment: environment) } catch {
                        part.fail("when", error.description)
                    }
                }
                var automation = RecordAutomation(key: key ?? "", label: label ?? key ?? "", on: on ?? .created, stage: stage,
                                                  condition: condition, handoffKind: .other, reason: "")
                if let handoff = part.value("handoff") {
                    var inner = try InputReader(handoff, path: part.field("handoff"))
                    let kind: HandoffKind? = inner.enumeration("kind", required: true)
                    automation.handoffKind = kind ?? .other
                    automation.from = inner.string("from", maxLength: 64)
                    automation.to = inner.string("to", maxLength: 64)
                    if kind == .other, automation.from == nil || automation.to == nil {
                        inner.fail("to", "a handoff of kind other names both departments (from and to)")
                    }
                    automation.reason = inner.string("reason", required: true, maxLength: 2_000) ?? ""
                    automation.slaMinutes = inner.integer("sla_minutes", in: 1...525_600).map(Int.init)
                    do throws(ValidationFailure) { try inner.finish() } catch { part.absorb(error) }
                } else {
                    part.fail("handoff", "is required: what the automation does")
                }
                try part.finish()
                automations.append(automation)
            } catch {
                reader.absorb(error)
            }
        }
        return automations
    }
}
