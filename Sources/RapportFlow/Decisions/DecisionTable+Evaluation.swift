import RapportCore

extension DecisionTable {
    /// The table's result over the variables: by the hit policy, the matching rule's outputs (one
    /// output: its value; several: an object), a list of them (collect), or null when none
    /// matches (an empty list for collect). Fails naming the input, rule or output at fault.
    public func evaluate(_ variables: [String: JSONValue]) -> Result<JSONValue, DecisionFailure> {
        var values: [JSONValue] = []
        for input in inputs {
            switch input.expression.evaluate(variables) {
            case .success(let value): values.append(value)
            case .failure(let error): return .failure(DecisionFailure("the input \(input.label), `\(input.expression.source)`, failed: \(error)"))
            }
        }
        let matching = rules.indices.filter { index in zip(rules[index].tests, values).allSatisfy { $0.passes($1) } }
        func outputs(of index: Int) -> Result<JSONValue, DecisionFailure> {
            var result: [(String, JSONValue)] = []
            for (name, expression) in zip(self.outputs, rules[index].outputs) {
                switch expression.evaluate(variables) {
                case .success(let value): result.append((name, value))
                case .failure(let error): return .failure(DecisionFailure("rule \(index + 1)'s output \(name), `\(expression.source)`, failed: \(error)"))
                }
            }
            return .success(result.count == 1 ? result[0].1 : .object(JSONObject(result)))
        }
        switch hitPolicy {
        case .first:
            return matching.first.map(outputs) ?? .success(.null)
        case .unique:
            guard matching.count <= 1 else {
                return .failure(DecisionFailure("rules \(matching.map { String($0 + 1) }.joined(separator: ", ")) all match, and the hit policy is UNIQUE"))
            }
            return matching.first.map(outputs) ?? .success(.null)
        case .any:
            var found: JSONValue?
            for index in matching {
                guard case .success(let value) = outputs(of: index) else { return outputs(of: index) }
                if let found, found != value {
                    return .failure(DecisionFailure("rules \(matching.map { String($0 + 1) }.joined(separator: ", ")) match with different outputs, and the hit policy is ANY"))
                }
                found = value
            }
            return .success(found ?? .null)
        case .collect, .ruleOrder:
            var list: [JSONValue] = []
            for index in matching {
                switch outputs(of: index) {
                case .success(let value): list.append(value)
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(.array(list))
        }
    }
}

/// Why a decision table could not decide.
public struct DecisionFailure: Error, Sendable, Equatable {
    public let message: String

    init(_ message: String) {
        self.message = message
    }
}

extension UnaryTest {
    /// Whether the value passes. Numbers compare as numbers, text as text (ISO dates and times
    /// too); values of other types, or of types that do not match, do not pass a comparison.
    public func passes(_ value: JSONValue) -> Bool {
        switch self {
        case .any: return true
        case .equal(let expected): return Self.order(value, expected) == .orderedSame || value == expected
        case .compare(let comparison, let bound):
            guard let order = Self.order(value, bound) else { return false }
            switch comparison {
            case .less: return order == .orderedAscending
            case .lessOrEqual: return order != .orderedDescending
            case .greater: return order == .orderedDescending
            case .greaterOrEqual: return order != .orderedAscending
            }
        case .range(let low, let lowIncluded, let high, let highIncluded):
            guard let above = Self.order(value, low), let below = Self.order(value, high) else { return false }
            return (above == .orderedDescending || (lowIncluded && above == .orderedSame))
                && (below == .orderedAscending || (highIncluded && below == .orderedSame))
        case .oneOf(let tests): return tests.contains { $0.passes(value) }
        case .not(let tests): return !tests.contains { $0.passes(value) }
        }
    }

    /// How `value` compares with `bound`: numbers with numbers, text with text; nil otherwise.
    static func order(_ value: JSONValue, _ bound: JSONValue) -> ComparisonOrder? {
        switch (value.doubleValue, bound.doubleValue, value, bound) {
        case (let a?, let b?, _, _):
            return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        case (_, _, .string(let a), .string(let b)):
            return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
        default:
            return nil
        }
    }

    enum ComparisonOrder { case orderedAscending, orderedSame, orderedDescending }
}
