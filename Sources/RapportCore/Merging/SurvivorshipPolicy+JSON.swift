extension SurvivorshipPolicy {
    /// `{"default": ["prefer_non_empty", "most_recent"], "fields": {"name": [{"source_priority": ["chn_…"]}, "most_recent"]}}`
    public var json: JSONValue {
        var fields = JSONObject()
        for key in fieldRules.keys.sorted() { fields[key] = .array((fieldRules[key] ?? []).map(\.json)) }
        return ["default": .array(defaultRules.map(\.json)), "fields": .object(fields)]
    }

    /// Validates a policy document, naming each bad rule by its path.
    public static func read(_ body: JSONValue) throws(ValidationFailure) -> SurvivorshipPolicy {
        var reader = try InputReader(body)
        var issues: [FieldIssue] = []
        var policy = SurvivorshipPolicy()
        if let rules = reader.value("default") {
            policy.defaultRules = SurvivorshipRule.readList(rules, path: "default", issues: &issues)
        }
        if let fields = reader.value("fields") {
            if let members = fields.objectValue {
                for (key, rules) in members {
                    if !SurvivorshipPolicy.isFieldKey(key) {
                        issues.append(FieldIssue(field: "fields.\(key)", message: "is not a customer field; use name, given_name, family_name, company, lifecycle_stage, owner_id, kind, attributes or attributes.KEY"))
                    }
                    policy.fieldRules[key] = SurvivorshipRule.readList(rules, path: "fields.\(key)", issues: &issues)
                }
            } else {
                issues.append(FieldIssue(field: "fields", message: "must be an object of field names to rule lists"))
            }
        }
        if !issues.isEmpty { reader.absorb(ValidationFailure(issues)) }
        try reader.finish()
        return policy
    }

    static func isFieldKey(_ key: String) -> Bool {
        ["kind", "name", "given_name", "family_name", "company", "lifecycle_stage", "owner_id", "attributes"].contains(key)
            || (key.hasPrefix("attributes.") && key.count > "attributes.".count)
    }

    /// Reads a stored policy; the standard one when it is damaged.
    public init(stored value: JSONValue) {
        self = (try? Self.read(value)) ?? .standard
    }
}

extension SurvivorshipRule {
    var json: JSONValue {
        switch self {
        case .mostRecent: "most_recent"
        case .mostFrequent: "most_frequent"
        case .preferNonEmpty: "prefer_non_empty"
        case .sourcePriority(let sources): ["source_priority": .array(sources.map(JSONValue.string))]
        }
    }

    /// A source in `source_priority`: a channel id or name, not blank, no control characters, at most 64 code points.
    static func isSourceName(_ text: String) -> Bool {
        text.hasVisibleCharacters && !text.containsControlCharacters && text.unicodeScalars.count <= 64
    }

    static func readList(_ value: JSONValue, path: String, issues: inout [FieldIssue]) -> [SurvivorshipRule] {
        guard let elements = value.arrayValue, !elements.isEmpty else {
            issues.append(FieldIssue(field: path, message: "must be a non-empty list of rules"))
            return []
        }
        var rules: [SurvivorshipRule] = []
        for (index, element) in elements.enumerated() {
            let rulePath = "\(path)[\(index)]"
            switch element {
            case "most_recent": rules.append(.mostRecent)
            case "most_frequent": rules.append(.mostFrequent)
            case "prefer_non_empty": rules.append(.preferNonEmpty)
            default:
                if let object = element.objectValue, object.count == 1, let sources = object["source_priority"]?.arrayValue,
                   !sources.isEmpty, sources.allSatisfy({ $0.stringValue.map(isSourceName) == true }) {
                    rules.append(.sourcePriority(sources.compactMap(\.stringValue)))
                } else {
                    issues.append(FieldIssue(field: rulePath, message: "must be \"most_recent\", \"most_frequent\", \"prefer_non_empty\" or {\"source_priority\": [channel ids]}"))
                }
            }
        }
        return rules
    }
}
