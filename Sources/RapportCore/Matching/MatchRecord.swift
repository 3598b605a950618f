/// The raw values of one record that a profile needs, taken from a customer or given directly.
public struct MatchRecord: Sendable, Hashable {
    /// The customer id; unique within an index.
    public var id: String
    /// Which collection the record comes from, for linking collections (`MatchPairing.link`).
    public var source: String
    /// Raw values by source; normalization happens when the record enters an index.
    public var values: [FieldSource: [String]]

    public init(id: String, source: String = "", values: [FieldSource: [String]]) {
        self.id = id
        self.source = source
        self.values = values
    }

    /// The values of `customer` that `profile` compares or blocks on.
    public init(customer: Customer, profile: MatchProfile, source: String = "") {
        var values: [FieldSource: [String]] = [:]
        for fieldSource in profile.sourcesUsed {
            let found = fieldSource.values(in: customer)
            if !found.isEmpty { values[fieldSource] = found }
        }
        self.init(id: customer.id, source: source, values: values)
    }
}

extension MatchProfile {
    /// Every source that a field or a blocking key reads, each once, in order of first use.
    var sourcesUsed: [FieldSource] {
        // A profile reads a dozen sources or so: a scan is cheaper than a set.
        var ordered: [FieldSource] = []
        for field in fields where !ordered.contains(field.source) { ordered.append(field.source) }
        for rule in blockingRules {
            for key in rule.keys {
                for source in key.sources where !ordered.contains(source) { ordered.append(source) }
            }
        }
        return ordered
    }
}
