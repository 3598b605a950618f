/// A profile compiled for the index: the distinct sources it reads, the distinct
/// (source, normalization) inputs it derives from them, the columns its fields compare and the
/// inputs of each blocking key, all by position so that preparing a record needs no lookups.
struct MatchPlan: Sendable {
    struct Input: Hashable, Sendable {
        var source: FieldSource
        var normalization: ValueNormalization
    }

    /// One part of a blocking rule: inputs joined with a space, then transformed.
    struct KeyPart: Sendable {
        var inputs: [Int]
        var transform: BlockingTransform
    }

    let sources: [FieldSource]
    let inputs: [Input]
    /// The source position of each input.
    let inputSources: [Int]
    /// The input of each stored column; fields with the same input share a column.
    let columnInputs: [Int]
    /// The column of each field.
    let fieldColumns: [Int]
    let ruleParts: [[KeyPart]]

    /// Blocking key combinations kept per record and rule, so that a record with many values
    /// cannot flood the blocks.
    static let maximumKeysPerRule = 16

    init(profile: MatchProfile) {
        var inputs: [Input] = []
        func input(_ source: FieldSource, _ normalization: ValueNormalization) -> Int {
            let wanted = Input(source: source, normalization: normalization)
            if let known = inputs.firstIndex(of: wanted) { return known }
            inputs.append(wanted)
            return inputs.count - 1
        }
        var columnInputs: [Int] = []
        var fieldColumns: [Int] = []
        for field in profile.fields {
            let fieldInput = input(field.source, field.normalization)
            if let column = columnInputs.firstIndex(of: fieldInput) {
                fieldColumns.append(column)
            } else {
                columnInputs.append(fieldInput)
                fieldColumns.append(columnInputs.count - 1)
            }
        }
        ruleParts = profile.blockingRules.map { rule in
            rule.keys.map { key in
                KeyPart(inputs: key.sources.map { input($0, key.normalization) }, transform: key.transform)
            }
        }
        let sources = profile.sourcesUsed
        self.sources = sources
        self.inputs = inputs
        inputSources = inputs.map { input in sources.firstIndex(of: input.source) ?? 0 }
        self.columnInputs = columnInputs
        self.fieldColumns = fieldColumns
    }

    /// The normalized values and blocking keys of `record`.
    func prepare(_ record: MatchRecord) -> PreparedRecord {
        prepare(id: record.id, source: record.source, raw: sources.map { record.values[$0] ?? [] })
    }

    /// The normalized values and blocking keys of `customer`, read straight from it.
    func prepare(_ customer: Customer, source: String) -> PreparedRecord {
        prepare(id: customer.id, source: source, raw: sources.map { $0.values(in: customer) })
    }

    private func prepare(id: String, source: String, raw: [[String]]) -> PreparedRecord {
        let normalized = inputs.enumerated().map { position, input in
            Self.normalizedUnique(raw[inputSources[position]], input.normalization)
        }
        let ruleKeys = ruleParts.map { parts in
            if parts.count == 1, parts[0].inputs.count == 1 {
                // The common rule: one value, maybe transformed.
                return Self.unique(normalized[parts[0].inputs[0]].compactMap { parts[0].transform.apply($0) })
            }
            var combinations = [""]
            for (position, part) in parts.enumerated() {
                var joined = [""]
                for (inputPosition, input) in part.inputs.enumerated() {
                    joined = Self.combine(joined, normalized[input], separator: inputPosition == 0 ? "" : " ")
                }
                let keys = Self.unique(joined.compactMap { part.transform.apply($0) })
                combinations = Self.combine(combinations, keys, separator: position == 0 ? "" : "\u{1F}")
            }
            return combinations
        }
        return PreparedRecord(id: id, source: source, columnValues: columnInputs.map { normalized[$0] },
                              ruleKeys: ruleKeys)
    }

    private static func normalizedUnique(_ raw: [String], _ normalization: ValueNormalization) -> [String] {
        if raw.count == 1 { return normalization.normalize(raw[0]).map { [$0] } ?? [] }
        return unique(raw.compactMap { normalization.normalize($0) })
    }

    private static func combine(_ heads: [String], _ tails: [String], separator: String) -> [String] {
        var result: [String] = []
        for head in heads {
            for tail in tails {
                guard result.count < maximumKeysPerRule else { return result }
                result.append(head.isEmpty && separator.isEmpty ? tail : head + separator + tail)
            }
        }
        return result
    }

    /// `values` without repeats, in order; records hold few values, so a scan beats a set.
    private static func unique(_ values: [String]) -> [String] {
        guard values.count > 1 else { return values }
        var result: [String] = []
        for value in values where !result.contains(value) { result.append(value) }
        return result
    }
}

/// A record with its values normalized and its blocking keys computed, ready for an index.
struct PreparedRecord: Sendable {
    var id: String
    var source: String
    var columnValues: [[String]]
    var ruleKeys: [[String]]
}
