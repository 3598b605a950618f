@testable import RapportCore

/// Random subscription filters and events over a small vocabulary, so that filters often match.
struct RandomFilters {
    var random: SeededRandom

    static let types = [
        "rapport.customer.created", "rapport.customer.updated", "rapport.customer.deleted", "rapport.interaction.created",
        "rapport.user.created", "rapport.channel.updated", "rapport.customer", "other.customer.created", "",
    ]
    static let typeValues = types + ["rapport.customer.createdx", "Rapport.customer.created"]
    static let typePrefixes = ["rapport.", "rapport.customer.", "rapport.cust", "", "r", "other.", "rapport.customer.created", "rapport.customer.created.x"]
    static let typeSuffixes = [".created", "updated", "", "d", ".customer", "rapport.customer.created"]
    static let subjects = ["cus_1", "cus_2", "org_1", "caf\u{E9}", "cafe\u{301}"]
    static let kinds: [JSONValue?] = ["email", "chat", "call", nil, 3]
    static let tiers: [JSONValue?] = ["vip", "standard", nil]
    /// Values of `data.v` and `data.o.v`, of every JSON kind (nil: the key is missing), with the
    /// cases CEL equality must get right: int against double, -0.0, large and fractional doubles,
    /// composed against decomposed strings, null, and lists and maps that equal no scalar.
    static let values: [JSONValue?] = [
        "c1", "c2", "", "caf\u{E9}", "cafe\u{301}", .integer(1), .double(1.0), .double(1.5), .integer(0), .double(-0.0),
        .double(1e20), .integer(.max), .double(9_223_372_036_854_775_807.0), true, false, .null, nil, ["c1"], ["c1": 1],
    ]
    /// CEL literals compared with those values.
    static let literals = [
        "\"c1\"", "\"c2\"", "\"\"", "\"caf\u{E9}\"", "\"cafe\u{301}\"", "1", "1.0", "1.5", "0", "-0.0", "0.0", "1e20", "100000000000000000000.0",
        "9223372036854775807", "9223372036854775808.0", "true", "false", "null", "1u",
    ]

    private mutating func pick<T>(_ values: [T]) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    private mutating func chance(_ percent: UInt64) -> Bool {
        random.next() % 100 < percent
    }

    mutating func event(sequence: Int64) -> Event {
        var data = JSONObject()
        if let kind = pick(Self.kinds) { data["kind"] = kind }
        if let tier = pick(Self.tiers) { data["customer"] = ["attributes": ["tier": tier]] }
        if let value = pick(Self.values) { data["v"] = value }
        switch random.next() % 4 {
        case 0: data["o"] = "not a map"
        case 1: break
        default:
            var nested = JSONObject()
            if let value = pick(Self.values) { nested["v"] = value }
            data["o"] = .object(nested)
        }
        return Event(sequence: sequence, id: "evt_\(sequence)", type: pick(Self.types), subject: pick(Self.subjects),
                     time: Timestamp(microseconds: 1_795_316_400_000_000), data: .object(data))
    }

    mutating func filter(depth: Int = 0) -> SubscriptionFilter {
        let choice = random.next() % (depth >= 3 ? 4 : 8)
        switch choice {
        case 0: return .exact(conditions(Self.typeValues, subjects: Self.subjects))
        case 1: return .prefix(conditions(Self.typePrefixes, subjects: ["cus_", "org", ""]))
        case 2: return .suffix(conditions(Self.typeSuffixes, subjects: ["_1", "2"]))
        case 3: return .cel(celExpression(depth: depth))
        case 4: return .all(children(depth: depth))
        case 5: return .any(children(depth: depth))
        case 6: return .not(filter(depth: depth + 1))
        default: return .cel(celExpression(depth: depth))
        }
    }

    private mutating func conditions(_ types: [String], subjects: [String]) -> [AttributeCondition] {
        var result: [AttributeCondition] = []
        if chance(85) { result.append(AttributeCondition(.type, pick(types))) }
        if chance(30) { result.append(AttributeCondition(.subject, pick(subjects))) }
        if chance(10) { result.append(AttributeCondition(.subject, pick(Self.subjects))) }
        if chance(5) { result.append(AttributeCondition(.source, pick(["/rapport", "/other"]))) }
        return result
    }

    private mutating func children(depth: Int) -> [SubscriptionFilter] {
        (0..<Int(random.next() % 4)).map { _ in filter(depth: depth + 1) }
    }

    /// A CEL equality (or membership) on a data path, the subject or the source.
    private mutating func equalityTerm() -> String {
        if chance(20) {
            // `subject` and `source` are strings: only string literals type-check against them.
            let attribute = pick(["subject", "source"])
            let value = chance(80) ? pick(Self.subjects) : pick(["/rapport", "/other"])
            return chance(70) ? "\(attribute) == \"\(value)\"" : "\(attribute) in [\"\(value)\", \"\(pick(Self.subjects))\"]"
        }
        let path = pick(["data.v", "data.o.v", "data[\"v\"]", "data.missing", "data.o.v.w", "data.v.w"])
        switch random.next() % 4 {
        case 0: return "\(path) == \(pick(Self.literals))"
        case 1: return "\(pick(Self.literals)) == \(path)"
        case 2: return "\(path) in [\(pick(Self.literals)), \(pick(Self.literals))]"
        default:
            return pick(["\(path) in []", "\(path) in [[\"c1\"]]", "\(path) == [\"c1\"]", "\(path) != \(pick(Self.literals))",
                         "\(path) in [\"c1\", 0.0 / 0.0]"])
        }
    }

    private mutating func celTerm() -> String {
        if chance(35) { return equalityTerm() }
        switch random.next() % 13 {
        case 0, 1: return "type == \"\(pick(Self.typeValues))\""
        case 2: return "\"\(pick(Self.typeValues))\" == type"
        case 3: return "type in [\"\(pick(Self.typeValues))\", \"\(pick(Self.typeValues))\"]"
        case 4: return "type.startsWith(\"\(pick(Self.typePrefixes))\")"
        case 5: return "type.endsWith(\"\(pick(Self.typeSuffixes))\")"
        case 6: return "data.kind in [\"email\", \"chat\"]"
        case 7: return "data.customer.attributes.tier == \"vip\""
        case 8: return "subject == \"\(pick(Self.subjects))\""
        case 9: return "type != \"\(pick(Self.typeValues))\""
        case 10: return "data.kind == 3"
        case 11:
            // Terms no value key fits: the index may skip them only on events lacking a path they need.
            let path = pick(["data.v", "data.o.v", "data.missing", "data.o.v.w"])
            return pick(["\(path) > 1", "\(path) <= \"c2\"", "string(\(path)).contains(\"c\")", "size(\(path)) > 1",
                         "has(\(path).w)", "!(\(path) < 2)", "(\(path) == 1 ? true : data.kind == \"email\")",
                         "\(path) > 1 || data.kind == \"chat\"", "[\(path)][0] == 1", "\"c1\" in \(path)",
                         "-\(path) < 0", "\(path) + 1 == 2"])
        default: return pick(["true", "false", "type in []", "source == \"/rapport\"", "size(type) > 20"])
        }
    }

    private mutating func celExpression(depth: Int) -> CompiledExpression {
        var text = celTerm()
        for _ in 0..<Int(random.next() % 3) {
            let term = chance(25) ? "!(\(celTerm()))" : celTerm()
            text = chance(60) ? "\(text) && \(term)" : "(\(text)) || \(term)"
        }
        if chance(10) { text = "!(\(text))" }
        // Every generated term type-checks; fall back to a constant rather than crash if one does not.
        return (try? CompiledExpression(filter: text)) ?? (try! CompiledExpression(filter: "true"))
    }
}
