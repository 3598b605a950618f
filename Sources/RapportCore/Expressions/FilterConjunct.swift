/// One conjunct of a subscription filter: a filter matches an event exactly when every one of its
/// conjuncts does, so `SubscriptionIndex` can decide some conjuncts once per event type, look one
/// up by value, and evaluate the filter only when something else remains.
///
/// The split follows the filters' own semantics: `all` holds when each nested filter does, an
/// `exact`, `prefix` or `suffix` filter when each of its conditions does, and a CEL `a && b` yields
/// `true` only when both `a` and `b` yield `true` (an error or a non-bool on either side never
/// gives `true`, whatever CEL's error absorption makes of the other side).
enum FilterConjunct: Sendable {
    /// A dialect filter (for `exact`, `prefix` and `suffix`, a single condition).
    case filter(SubscriptionFilter)
    /// An operand of a CEL filter's top-level `&&`, holding when it evaluates to `true`.
    case cel(ExpressionInstruction, localCount: Int)

    /// The conjuncts of `filter`, in evaluation order (none for a filter that matches every event).
    static func of(_ filter: SubscriptionFilter) -> [FilterConjunct] {
        var result: [FilterConjunct] = []
        collect(filter, into: &result)
        return result
    }

    private static func collect(_ filter: SubscriptionFilter, into result: inout [FilterConjunct]) {
        switch filter {
        case .exact(let conditions):
            result += conditions.map { .filter(.exact([$0])) }
        case .prefix(let conditions):
            result += conditions.map { .filter(.prefix([$0])) }
        case .suffix(let conditions):
            result += conditions.map { .filter(.suffix([$0])) }
        case .all(let filters):
            for nested in filters { collect(nested, into: &result) }
        case .cel(let expression):
            collect(expression.program, localCount: expression.localCount, into: &result)
        case .any, .not:
            result.append(.filter(filter))
        }
    }

    private static func collect(_ instruction: ExpressionInstruction, localCount: Int, into result: inout [FilterConjunct]) {
        if case .and(let left, let right) = instruction {
            collect(left, localCount: localCount, into: &result)
            collect(right, localCount: localCount, into: &result)
        } else {
            result.append(.cel(instruction, localCount: localCount))
        }
    }

    /// True when `event` satisfies the conjunct.
    func matches(_ event: Event) -> Bool {
        switch self {
        case .filter(let filter):
            return filter.matches(event)
        case .cel(let instruction, let localCount):
            var evaluator = ExpressionEvaluator(activation: EventActivation(event), localCount: localCount)
            if case .success(.bool(true)) = evaluator.evaluate(instruction) { return true }
            return false
        }
    }

    /// True when the conjunct's outcome is a function of the event's `type` alone.
    var dependsOnlyOnType: Bool {
        switch self {
        case .filter(let filter): return filter.dependsOnlyOnType
        case .cel(let instruction, _): return instruction.readsOnly(SubscriptionFilter.typeOnlyVariables)
        }
    }
}
