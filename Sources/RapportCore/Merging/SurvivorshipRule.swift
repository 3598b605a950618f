/// One way of choosing between the values that merged records hold for a field. Rules apply in
/// order, each narrowing the candidates, until one is left; the survivor's own value breaks ties.
public enum SurvivorshipRule: Sendable, Equatable {
    /// The value written last (greatest version).
    case mostRecent
    /// The value from the most trusted source: channel or source ids, most trusted first.
    case sourcePriority([String])
    /// The value most of the records hold.
    case mostFrequent
    /// Any value over none (null, empty text, empty list or object).
    case preferNonEmpty

    /// Keeps the candidates this rule prefers; never returns an empty list for a non-empty input.
    func narrow(_ candidates: [SurvivorshipCandidate]) -> [SurvivorshipCandidate] {
        guard candidates.count > 1 else { return candidates }
        switch self {
        case .mostRecent:
            guard let newest = candidates.map(\.provenance.version).max() else { return candidates }
            return candidates.filter { $0.provenance.version == newest }
        case .sourcePriority(let sources):
            func rank(_ candidate: SurvivorshipCandidate) -> Int? {
                sources.firstIndex { $0 == candidate.provenance.channelID || $0 == candidate.provenance.version.sourceID }
            }
            guard let best = candidates.compactMap(rank).min() else { return candidates }
            return candidates.filter { rank($0) == best }
        case .mostFrequent:
            var counts: [String: Int] = [:]
            for candidate in candidates { counts[candidate.value.jsonString, default: 0] += 1 }
            guard let most = counts.values.max() else { return candidates }
            return candidates.filter { counts[$0.value.jsonString] == most }
        case .preferNonEmpty:
            let filled = candidates.filter { !$0.value.isEmptyValue }
            return filled.isEmpty ? candidates : filled
        }
    }
}

/// A value one of the merged records holds for a field, and where it came from.
public struct SurvivorshipCandidate: Sendable, Equatable {
    public var customerID: String
    public var value: JSONValue
    public var provenance: Provenance
}

/// Which rules decide which field when customers merge; configurable per field, with a default.
public struct SurvivorshipPolicy: Sendable, Equatable {
    /// For fields without rules of their own: `name`, `company`, `attributes.tier`, …
    public var defaultRules: [SurvivorshipRule]
    /// Rules by field key; `attributes` covers every attribute key without rules of its own.
    public var fieldRules: [String: [SurvivorshipRule]]

    public init(defaultRules: [SurvivorshipRule] = [.preferNonEmpty, .mostRecent],
                fieldRules: [String: [SurvivorshipRule]] = [:]) {
        self.defaultRules = defaultRules
        self.fieldRules = fieldRules
    }

    public static let standard = SurvivorshipPolicy()

    public func rules(for key: String) -> [SurvivorshipRule] {
        if let rules = fieldRules[key] { return rules }
        if key.hasPrefix("attributes."), let rules = fieldRules["attributes"] { return rules }
        return defaultRules
    }

    /// The candidate that survives: the rules in order, then the first candidate (the survivor's).
    public func choose(_ key: String, among candidates: [SurvivorshipCandidate]) -> SurvivorshipCandidate? {
        var remaining = candidates
        for rule in rules(for: key) { remaining = rule.narrow(remaining) }
        return remaining.first
    }
}

extension JSONValue {
    /// Null, empty text, or an empty list or object.
    var isEmptyValue: Bool {
        switch self {
        case .null: true
        case .string(let text): text.allSatisfy(\.isWhitespace)
        case .array(let elements): elements.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }
}
