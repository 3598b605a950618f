extension MatchProfile {
    /// The profile as JSON, for settings that an administrator edits and the store keeps.
    public var json: JSONValue {
        var object = JSONObject()
        object["fields"] = .array(fields.map { field in
            [
                "name": .string(field.name),
                "source": .string(field.source.path),
                "levels": .array(field.comparator.levels.map { .string($0.code) }),
                "normalization": .string(field.normalization.rawValue),
                "term_frequency": .bool(field.termFrequency),
            ]
        })
        object["blocking_rules"] = .array(blockingRules.map { rule in
            .array(rule.keys.map { key in
                [
                    "sources": .array(key.sources.map { .string($0.path) }),
                    "transform": .string(key.transform.code),
                    "normalization": .string(key.normalization.rawValue),
                ]
            })
        })
        object["thresholds"] = ["review": .double(thresholds.review), "auto_merge": .double(thresholds.autoMerge)]
        object["pairing"] = .string(pairing.rawValue)
        object["maximum_block_size"] = maximumBlockSize.map { .integer(Int64($0)) } ?? .null
        return .object(object)
    }

    /// Reads a profile written by `json`, reporting every problem found.
    public init(json: JSONValue) throws(MatchConfigurationError) {
        var problems: [String] = []
        let object = json.objectValue ?? JSONObject()
        var fields: [MatchField] = []
        for (position, entry) in (object["fields"]?.arrayValue ?? []).enumerated() {
            let field = entry.objectValue ?? JSONObject()
            let levels = (field["levels"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(ComparisonLevel.init(code:)) }
            guard let name = field["name"]?.stringValue,
                  let source = field["source"]?.stringValue.flatMap(FieldSource.init(path:)),
                  levels.count == field["levels"]?.arrayValue?.count else {
                problems.append("fields[\(position)] needs a name, a known source and known levels")
                continue
            }
            let normalization = field["normalization"]?.stringValue.flatMap(ValueNormalization.init(rawValue:))
            fields.append(MatchField(name, source: source, comparator: FieldComparator(levels: levels),
                                     normalization: normalization, termFrequency: field["term_frequency"]?.boolValue ?? false))
        }
        var rules: [BlockingRule] = []
        for (position, entry) in (object["blocking_rules"]?.arrayValue ?? []).enumerated() {
            var keys: [BlockingKey] = []
            for part in entry.arrayValue ?? [] {
                let key = part.objectValue ?? JSONObject()
                let sources = (key["sources"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(FieldSource.init(path:)) }
                guard !sources.isEmpty, sources.count == key["sources"]?.arrayValue?.count,
                      let transform = BlockingTransform(code: key["transform"]?.stringValue ?? "whole") else {
                    problems.append("blocking_rules[\(position)] has a key without known sources or transform")
                    continue
                }
                let normalization = key["normalization"]?.stringValue.flatMap(ValueNormalization.init(rawValue:))
                keys.append(BlockingKey(sources, transform: transform, normalization: normalization))
            }
            rules.append(BlockingRule(keys))
        }
        let thresholds = object["thresholds"]?.objectValue ?? JSONObject()
        guard let review = thresholds["review"]?.doubleValue, let autoMerge = thresholds["auto_merge"]?.doubleValue else {
            throw MatchConfigurationError(problems: problems + ["thresholds need review and auto_merge"])
        }
        guard let pairing = MatchPairing(rawValue: object["pairing"]?.stringValue ?? "deduplicate") else {
            throw MatchConfigurationError(problems: problems + ["pairing is deduplicate or link"])
        }
        let blockSize = object["maximum_block_size"]?.integralValue.map { Int(clamping: $0) }
        self.init(fields: fields, blockingRules: rules, thresholds: MatchThresholds(review: review, autoMerge: autoMerge),
                  pairing: pairing, maximumBlockSize: blockSize)
        problems += self.problems
        guard problems.isEmpty else { throw MatchConfigurationError(problems: problems) }
    }
}
