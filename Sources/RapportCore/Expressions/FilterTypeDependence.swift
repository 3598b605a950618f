/// Which filters read nothing of an event but its `type` (and attributes that are the same on every
/// event), so that their outcome can be decided once per distinct type.
extension SubscriptionFilter {
    /// True when the filter's outcome is a function of the event's `type` alone.
    var dependsOnlyOnType: Bool {
        switch self {
        case .exact(let conditions), .prefix(let conditions), .suffix(let conditions):
            return conditions.allSatisfy { Self.typeOnlyAttributes.contains($0.attribute) }
        case .all(let filters), .any(let filters):
            return filters.allSatisfy(\.dependsOnlyOnType)
        case .not(let filter):
            return filter.dependsOnlyOnType
        case .cel(let expression):
            return expression.program.readsOnly(Self.typeOnlyVariables)
        }
    }

    /// `type`, plus the attributes whose value is the same for every event.
    static let typeOnlyAttributes: Set<CloudEventAttribute> = [.type, .source, .datacontenttype, .specversion]
    static let typeOnlyVariables: Set<String> = ["type", "source", "datacontenttype", "specversion"]
}

extension ExpressionInstruction {
    /// True when every root variable the instruction reads is one of `variables`.
    func readsOnly(_ variables: Set<String>) -> Bool {
        switch self {
        case .constant, .local:
            return true
        case .variable(_, let name):
            return variables.contains(name)
        case .select(let base, _), .not(let base), .negate(let base), .has(let base, _), .matchesPattern(let base, _):
            return base.readsOnly(variables)
        case .index(let a, let b), .arithmetic(_, let a, let b), .ordering(_, let a, let b), .equal(let a, let b, _),
             .membership(let a, let b), .and(let a, let b), .or(let a, let b):
            return a.readsOnly(variables) && b.readsOnly(variables)
        case .conditional(let a, let b, let c):
            return a.readsOnly(variables) && b.readsOnly(variables) && c.readsOnly(variables)
        case .list(let elements), .call(_, let elements):
            return elements.allSatisfy { $0.readsOnly(variables) }
        case .map(let entries):
            return entries.allSatisfy { $0.key.readsOnly(variables) && $0.value.readsOnly(variables) }
        case .comprehension(_, let range, _, let predicate):
            return range.readsOnly(variables) && predicate.readsOnly(variables)
        }
    }
}
