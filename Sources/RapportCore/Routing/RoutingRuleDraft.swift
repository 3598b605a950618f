/// A rule definition read from the API, checked before anything is stored.
public struct RoutingRuleDraft: Sendable, Equatable {
    public var name: String
    public var trigger: RoutingTrigger
    /// Nil places the rule after the trigger's last one.
    public var position: Int64?
    public var enabled: Bool
    public var stop: Bool
    public var conditions: RoutingConditions
    public var actions: RoutingActions

    public init(name: String, trigger: RoutingTrigger, position: Int64? = nil, enabled: Bool = true, stop: Bool = false,
                conditions: RoutingConditions = RoutingConditions(), actions: RoutingActions) {
        self.name = name
        self.trigger = trigger
        self.position = position
        self.enabled = enabled
        self.stop = stop
        self.conditions = conditions
        self.actions = actions
    }

    static let maxListCount = 50

    /// The largest position a rule may have (the document's maximum); a rule appended after one
    /// there is placed there too.
    public static let maxPosition: Int64 = 1_000_000_000

    /// Reads and checks a rule: unknown fields, bad values, an expression that does not compile
    /// (with line and column), and keyword sets not in `keywordSets` (when given) are all reported by field.
    public static func read(_ value: JSONValue, keywordSets: Set<String>?) throws(ValidationFailure) -> RoutingRuleDraft {
        var reader = try InputReader(value)
        let name = reader.string("name", required: true, maxLength: 200)
        let trigger: RoutingTrigger? = reader.enumeration("trigger", required: true)
        let position = reader.integer("position", in: 0...maxPosition)
        let enabled = reader.bool("enabled") ?? true
        let stop = reader.bool("stop") ?? false
        var conditions = RoutingConditions()
        if let raw = reader.value("conditions"), !raw.isNull {
            do throws(ValidationFailure) {
                conditions = try readConditions(raw, path: reader.field("conditions"), keywordSets: keywordSets)
            } catch {
                reader.absorb(error)
            }
        }
        var actions = RoutingActions()
        if let raw = reader.value("actions") {
            do throws(ValidationFailure) {
                actions = try readActions(raw, path: reader.field("actions"))
                if actions.isEmpty { reader.fail("actions", "name at least one action") }
            } catch {
                reader.absorb(error)
            }
        } else {
            reader.fail("actions", "is required")
        }
        try reader.finish()
        return RoutingRuleDraft(name: name!, trigger: trigger!, position: position, enabled: enabled, stop: stop,
                                conditions: conditions, actions: actions)
    }

    static func readConditions(_ value: JSONValue, path: String, keywordSets: Set<String>?) throws(ValidationFailure) -> RoutingConditions {
        var reader = try InputReader(value, path: path)
        var conditions = RoutingConditions()
        if let text = reader.string("expression", maxLength: ExpressionLimits.standard.maxLength) {
            do throws(ExpressionError) {
                _ = try CompiledExpression(filter: text, environment: RoutingContext.environment)
                conditions.expression = text
            } catch {
                reader.fail("expression", error.description)
            }
        }
        for (key, keyPath) in [("keywords_any", \RoutingConditions.keywordsAny), ("keywords_none", \RoutingConditions.keywordsNone)] {
            let names = reader.stringList(key, maxCount: maxListCount, maxLength: 64) ?? []
            for (index, name) in names.enumerated() where keywordSets.map({ !$0.contains(name) }) ?? false {
                reader.fail("\(key)[\(index)]", "there is no keyword set named \"\(name)\"")
            }
            conditions[keyPath: keyPath] = names
        }
        conditions.channels = reader.stringList("channels", maxCount: maxListCount, maxLength: 64) ?? []
        for (index, text) in (readStrings(&reader, "directions")).enumerated() {
            if let direction = InteractionDirection(rawValue: text) { conditions.directions.append(direction) }
            else { reader.fail("directions[\(index)]", "expected inbound or outbound") }
        }
        conditions.businessHours = reader.enumeration("business_hours")
        conditions.labels = reader.stringList("labels", maxCount: 200, maxLength: 200) ?? []
        if let raw = reader.value("min_confidence") {
            if let number = raw.doubleValue, number >= 0, number <= 1 { conditions.minConfidence = number }
            else { reader.fail("min_confidence", "expected a number from 0 to 1") }
        }
        try reader.finish()
        return conditions
    }

    static func readActions(_ value: JSONValue, path: String) throws(ValidationFailure) -> RoutingActions {
        var reader = try InputReader(value, path: path)
        var actions = RoutingActions()
        actions.department = reader.string("department", maxLength: 64)
        actions.queue = reader.string("queue", maxLength: 64)
        actions.assignTo = reader.string("assign_to", maxLength: 64)
        actions.priority = reader.enumeration("priority")
        actions.tags = ConversationChanges.normalizedTags(reader.stringList("tags", maxCount: ConversationChanges.maxTags, maxLength: 64, visible: true) ?? [])
        actions.skills = ConversationChanges.normalizedTags(reader.stringList("skills", maxCount: maxListCount, maxLength: 64, visible: true) ?? [])
        actions.suppress = reader.enumeration("suppress")
        actions.notify = reader.stringList("notify", maxCount: maxListCount, maxLength: 100) ?? []
        for (index, target) in actions.notify.enumerated() where !(target.hasScalarPrefix("usr_") || target.hasScalarPrefix("department:")) {
            reader.fail("notify[\(index)]", "expected a user id (usr_…) or department:<key>")
        }
        if let raw = reader.value("create_task"), !raw.isNull {
            do throws(ValidationFailure) { actions.createTasks = [try TaskTemplate.read(raw, path: reader.field("create_task"))] } catch { reader.absorb(error) }
        }
        if let signal = reader.string("emit", maxLength: 64) {
            if Department.isValidKey(signal.replacingOccurrences(of: ".", with: "_")) { actions.emit = signal }
            else { reader.fail("emit", "use lower-case letters, digits, '.', '-' and '_', starting with a letter") }
        }
        try reader.finish()
        return actions
    }

    private static func readStrings(_ reader: inout InputReader, _ key: String) -> [String] {
        reader.stringList(key, maxCount: 2, maxLength: 20) ?? []
    }
}
