/// A necessary condition on an event's `type` that a subscription filter implies: the filter can
/// only match when the type equals one of `exact`, starts with one of `prefixes` or ends with one
/// of `suffixes` (the same tests, and the same string semantics, as the filter's own).
///
/// A key never decides a match; it only tells `SubscriptionIndex` which filters are worth
/// evaluating. A key with no entries at all belongs to a filter that can never match.
struct FilterKey: Sendable, Equatable {
    var exact: [String] = []
    var prefixes: [String] = []
    var suffixes: [String] = []

    /// How many alternatives the key admits.
    var width: Int { exact.count + prefixes.count + suffixes.count }

    /// Lower is more selective: exact values beat prefixes and suffixes, longer affixes beat shorter ones.
    var cost: Int {
        let affixes = prefixes.map { 64 - min($0.utf8.count, 63) } + suffixes.map { 64 - min($0.utf8.count, 63) }
        return exact.count + affixes.reduce(0, +) * 4
    }

    /// Either condition holds.
    func union(_ other: FilterKey) -> FilterKey {
        FilterKey(exact: exact + other.exact, prefixes: prefixes + other.prefixes, suffixes: suffixes + other.suffixes)
    }

    /// The key of `filter`, or nil when no condition on `type` follows from it.
    static func of(_ filter: SubscriptionFilter) -> FilterKey? {
        switch filter {
        case .exact(let conditions):
            return conditions.first { $0.attribute == .type }.map { FilterKey(exact: [$0.value]) }
        case .prefix(let conditions):
            return conditions.first { $0.attribute == .type }.map { FilterKey(prefixes: [$0.value]) }
        case .suffix(let conditions):
            return conditions.first { $0.attribute == .type }.map { FilterKey(suffixes: [$0.value]) }
        case .all(let filters):
            return mostSelective(filters.map(of))
        case .any(let filters):
            return unionOfAll(filters.map(of))
        case .not:
            return nil
        case .cel(let expression):
            return of(expression.program)
        }
    }

    /// The key of a CEL program that is true only when the key holds: top-level `&&` conjuncts and
    /// `||` alternatives of `type == "x"`, `type in ["a", "b"]` and `type.startsWith("x")`.
    static func of(_ instruction: ExpressionInstruction) -> FilterKey? {
        switch instruction {
        case .and(let left, let right):
            // CEL `&&` yields true only when both sides are true, whatever the error absorption.
            return mostSelective([of(left), of(right)])
        case .or(let left, let right):
            return unionOfAll([of(left), of(right)])
        case .equal(let left, let right, negated: false):
            if isType(left), case .constant(.string(let value)) = right { return FilterKey(exact: [value]) }
            if isType(right), case .constant(.string(let value)) = left { return FilterKey(exact: [value]) }
            return nil
        case .membership(let element, in: .constant(.array(let values))) where isType(element):
            var key = FilterKey()
            for value in values {
                // A string never equals another kind, so other elements can be dropped.
                if case .string(let text) = value { key.exact.append(text) }
            }
            return key
        case .call(.startsWith, let arguments) where arguments.count == 2 && isType(arguments[0]):
            if case .constant(.string(let prefix)) = arguments[1] { return FilterKey(prefixes: [prefix]) }
            return nil
        case .call(.endsWith, let arguments) where arguments.count == 2 && isType(arguments[0]):
            if case .constant(.string(let suffix)) = arguments[1] { return FilterKey(suffixes: [suffix]) }
            return nil
        default:
            return nil
        }
    }

    private static func isType(_ instruction: ExpressionInstruction) -> Bool {
        if case .variable(_, name: "type") = instruction { return true }
        return false
    }

    /// Of conditions that must all hold, the cheapest one to look up (nil when none has a key).
    private static func mostSelective(_ keys: [FilterKey?]) -> FilterKey? {
        keys.compactMap { $0 }.min { $0.cost < $1.cost }
    }

    /// Of alternatives, the union of their keys; nil unless every alternative has one.
    private static func unionOfAll(_ keys: [FilterKey?]) -> FilterKey? {
        var result = FilterKey()
        for key in keys {
            guard let key else { return nil }
            result = result.union(key)
        }
        return result
    }
}
