/// The enabled rules of every trigger, compiled once and evaluated for many messages.
///
/// Evaluation is pure: it returns which rules matched, which failed at run time (a failing rule
/// is skipped, never stops the others), and the actions in force after all of them.
public struct RuleBook: Sendable {
    struct CompiledRule: Sendable {
        var rule: RoutingRule
        var expression: CompiledExpression?
    }

    private var rulesByTrigger: [RoutingTrigger: [CompiledRule]] = [:]
    /// Rules that no longer compile (a keyword set deleted, say) and are skipped, with why.
    public private(set) var unusable: [(rule: RoutingRule, reason: String)] = []

    public init(rules: [RoutingRule]) {
        for rule in rules.sorted(by: { ($0.position, $0.id) < ($1.position, $1.id) }) where rule.enabled {
            var compiled = CompiledRule(rule: rule, expression: nil)
            if let source = rule.conditions.expression {
                do throws(ExpressionError) {
                    compiled.expression = try CompiledExpression(filter: source, environment: RoutingContext.environment)
                } catch {
                    unusable.append((rule, "expression: \(error.description)"))
                    continue
                }
            }
            rulesByTrigger[rule.trigger, default: []].append(compiled)
        }
    }

    /// Whether any enabled rule listens to `trigger`.
    public func hasRules(for trigger: RoutingTrigger) -> Bool {
        !(rulesByTrigger[trigger] ?? []).isEmpty
    }

    /// Whether an enabled rule of `trigger` looks at the customer's record (so routing reads it).
    public func readsCustomer(for trigger: RoutingTrigger) -> Bool {
        (rulesByTrigger[trigger] ?? []).contains { $0.rule.conditions.expression?.contains("customer") == true }
    }

    /// Every keyword set some enabled rule uses.
    public var keywordSets: Set<String> {
        Set(rulesByTrigger.values.joined().flatMap { $0.rule.conditions.keywordSets })
    }

    /// Runs the rules of `context.trigger` in order.
    public func evaluate(_ context: RoutingContext) -> RuleOutcome {
        var outcome = RuleOutcome()
        // The variables of an expression are built once, and only when a rule has an expression to evaluate.
        var built: VariableActivation?
        let activation = {
            if let built { return built }
            let made = context.activation
            built = made
            return made
        }
        for compiled in rulesByTrigger[context.trigger] ?? [] {
            let rule = compiled.rule
            switch Self.conditionsHold(rule.conditions, expression: compiled.expression, context: context, activation: activation) {
            case .success(false):
                continue
            case .failure(let failure):
                outcome.failures.append(RuleFailure(ruleID: rule.id, version: rule.version, name: rule.name, reason: failure.description))
                continue
            case .success(true):
                outcome.matched.append(RuleMatch(ruleID: rule.id, version: rule.version, name: rule.name, actions: rule.actions,
                                                 keywordSets: rule.conditions.keywordsAny.filter { context.keywordHits[$0] != nil }))
                outcome.actions.apply(rule.actions, from: rule.id)
                if rule.stop {
                    outcome.stoppedBy = rule.id
                    return outcome
                }
            }
        }
        return outcome
    }

    static func conditionsHold(_ conditions: RoutingConditions, expression: CompiledExpression?, context: RoutingContext,
                               activation: () -> VariableActivation) -> Result<Bool, ExpressionEvaluationError> {
        if !conditions.channels.isEmpty {
            let id = context.interaction?.channelID ?? context.conversation?.channelID
            guard conditions.channels.contains(where: { $0 == id || $0 == context.channelKind }) else { return .success(false) }
        }
        if !conditions.directions.isEmpty {
            guard let direction = context.interaction?.direction, conditions.directions.contains(direction) else { return .success(false) }
        }
        if let hours = conditions.businessHours {
            guard let inside = context.withinBusinessHours, inside == (hours == .inside) else { return .success(false) }
        }
        if !conditions.keywordsAny.isEmpty, !conditions.keywordsAny.contains(where: { context.keywordHits[$0] != nil }) {
            return .success(false)
        }
        if conditions.keywordsNone.contains(where: { context.keywordHits[$0] != nil }) { return .success(false) }
        if !conditions.labels.isEmpty || conditions.minConfidence != nil {
            guard let prediction = context.prediction else { return .success(false) }
            if !conditions.labels.isEmpty, !conditions.labels.contains(prediction.label) { return .success(false) }
            if let floor = conditions.minConfidence, prediction.confidence < floor { return .success(false) }
        }
        guard let expression else { return .success(true) }
        switch expression.evaluate(activation()) {
        case .success(.bool(let flag)): return .success(flag)
        case .success(let other): return .failure(.invalidArgument("the expression yielded \(other.typeName), not a bool"))
        case .failure(let error): return .failure(error)
        }
    }
}

/// What the rules of one run decided.
public struct RuleOutcome: Sendable, Equatable {
    public var matched: [RuleMatch] = []
    public var failures: [RuleFailure] = []
    /// The actions in force after every matching rule applied its own.
    public var actions = RoutingActions()
    /// The rule whose `stop` ended the run.
    public var stoppedBy: String?

    public init() {}
}

/// One rule that matched, at the version that matched.
public struct RuleMatch: Sendable, Equatable {
    public var ruleID: String
    public var version: Int64
    public var name: String
    public var actions: RoutingActions
    /// The `keywords_any` sets that matched.
    public var keywordSets: [String]

    public var json: JSONValue {
        ["rule_id": .string(ruleID), "version": .integer(version), "name": .string(name), "actions": actions.json,
         "keyword_sets": .array(keywordSets.map(JSONValue.string))]
    }
}

/// A rule skipped because evaluating it failed.
public struct RuleFailure: Sendable, Equatable {
    public var ruleID: String
    public var version: Int64
    public var name: String
    public var reason: String

    public var json: JSONValue {
        ["rule_id": .string(ruleID), "version": .integer(version), "name": .string(name), "reason": .string(reason)]
    }
}

extension RoutingActions {
    /// Applies a later rule's actions over these: its values replace, its lists add (the tasks it
    /// asks for marked with `ruleID`, the rule that asked).
    public mutating func apply(_ later: RoutingActions, from ruleID: String? = nil) {
        if let department = later.department {
            if department != self.department { queue = nil }
            self.department = department
        }
        if let queue = later.queue { self.queue = queue }
        if let assignTo = later.assignTo { self.assignTo = assignTo }
        if let priority = later.priority { self.priority = priority }
        if let suppress = later.suppress { self.suppress = suppress }
        if let emit = later.emit { self.emit = emit }
        for tag in later.tags where !tags.contains(tag) { tags.append(tag) }
        for skill in later.skills where !skills.contains(skill) { skills.append(skill) }
        for target in later.notify where !notify.contains(target) { notify.append(target) }
        createTasks += later.createTasks.map { template in
            var marked = template
            marked.ruleID = ruleID ?? template.ruleID
            return marked
        }
    }
}
