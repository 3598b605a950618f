import Testing
@testable import RapportCore

@Suite("CloudEvents subscription filters")
struct ExpressionFilterTests {
    static let event = ExpressionEventTests.event(type: "rapport.interaction.created", sequence: 12, subject: "cus_123")

    private func parse(_ json: JSONValue) throws -> SubscriptionFilter {
        try SubscriptionFilter.parse(json)
    }

    private func issues(_ json: JSONValue) -> [FieldIssue] {
        do {
            _ = try SubscriptionFilter.parse(json)
            return []
        } catch {
            return error.issues
        }
    }

    @Test("dialects match and reject", arguments: [
        (["exact": ["type": "rapport.interaction.created"]] as JSONValue, true),
        (["exact": ["type": "rapport.interaction"]], false),
        (["exact": ["type": "rapport.interaction.created", "subject": "cus_123"]], true),
        (["exact": ["type": "rapport.interaction.created", "subject": "cus_999"]], false),
        (["exact": ["sequence": "00000000000000000012"]], true),
        (["exact": ["source": "/rapport", "datacontenttype": "application/json", "specversion": "1.0"]], true),
        (["prefix": ["type": "rapport.interaction."]], true),
        (["prefix": ["type": "rapport.customer."]], false),
        (["prefix": ["type": "rapport.", "subject": "cus_"]], true),
        (["prefix": ["type": "rapport.", "subject": "org_"]], false),
        (["suffix": ["subject": "_123"]], true),
        (["suffix": ["type": ".deleted"]], false),
        (["suffix": ["id": "_12"]], true),
        (["all": [["prefix": ["type": "rapport."]], ["suffix": ["type": ".created"]]]], true),
        (["all": [["prefix": ["type": "rapport."]], ["suffix": ["type": ".deleted"]]]], false),
        (["any": [["exact": ["type": "x"]], ["suffix": ["type": ".created"]]]], true),
        (["any": [["exact": ["type": "x"]], ["exact": ["type": "y"]]]], false),
        (["not": ["exact": ["type": "x"]]], true),
        (["not": ["prefix": ["type": "rapport."]]], false),
        (["not": ["not": ["prefix": ["type": "rapport."]]]], true),
        (["cel": "data.channel == 'email' && sequence == 12"], true),
        (["cel": "data.channel == 'chat'"], false),
        (["cel": "data.absent == 'x'"], false),
        (["cel": "!(data.absent == 'x')"], false),
        (["any": [["cel": "data.absent == 1"], ["not": ["all": [["exact": ["subject": "cus_123"]], ["cel": "false"]]]]]], true),
        ([["prefix": ["type": "rapport."]], ["cel": "data.channel in ['email']"]], true),
        ([["prefix": ["type": "rapport."]], ["cel": "data.channel in ['chat']"]], false),
        ([], true),
    ] as [(JSONValue, Bool)])
    func dialects(json: JSONValue, expected: Bool) throws {
        let filter = try parse(json)
        #expect(filter.matches(Self.event) == expected)
    }

    @Test("parsed structure")
    func structure() throws {
        guard case .exact(let conditions) = try parse(["exact": ["type": "a", "subject": "b"]]) else {
            Issue.record("expected an exact filter")
            return
        }
        #expect(conditions == [AttributeCondition(.type, "a"), AttributeCondition(.subject, "b")])
        guard case .all(let list) = try parse([["exact": ["type": "a"]], ["not": ["cel": "true"]]]), list.count == 2,
              case .not(.cel(let expression)) = list[1] else {
            Issue.record("expected a list of two filters")
            return
        }
        #expect(expression.source == "true")
    }

    @Test("errors name the JSON path", arguments: [
        ([["exact": ["type": "a"]], ["prefix": ["type": 3]]] as JSONValue, [FieldIssue(field: "filters[1].prefix.type", message: "must be a string")]),
        (["prefix": ["type": ""]], [FieldIssue(field: "filters.prefix.type", message: "must not be empty")]),
        (["suffix": ["tpye": "x"]], [FieldIssue(field: "filters.suffix.tpye", message: "unknown attribute; did you mean 'type'? (expected one of id, source, type, subject, time, datacontenttype, specversion, sequence)")]),
        (["exact": [:]], [FieldIssue(field: "filters.exact", message: "must name at least one attribute")]),
        (["exact": "type"], [FieldIssue(field: "filters.exact", message: "expected an object of attribute values, got string")]),
        (["all": []], [FieldIssue(field: "filters.all", message: "must contain at least one filter")]),
        (["any": ["exact": ["type": "a"]]], [FieldIssue(field: "filters.any", message: "expected an array of filters, got object")]),
        (["not": "x"], [FieldIssue(field: "filters.not", message: "expected a filter object, got string")]),
        (["cel": 1], [FieldIssue(field: "filters.cel", message: "expected a CEL expression string, got integer")]),
        ([:], [FieldIssue(field: "filters", message: "must contain exactly one filter dialect (exact, prefix, suffix, all, any, not, cel); found none")]),
        (["exact": ["type": "a"], "prefix": ["type": "b"]], [FieldIssue(field: "filters", message: "must contain exactly one filter dialect (exact, prefix, suffix, all, any, not, cel); found exact, prefix")]),
        (["exat": ["type": "a"]], [FieldIssue(field: "filters", message: "unknown filter dialect 'exat'; did you mean 'exact'? (expected one of exact, prefix, suffix, all, any, not, cel)")]),
        ("type", [FieldIssue(field: "filters", message: "expected a filter object, got string")]),
        ([["exact": ["type": "a"]], ["all": [["exact": ["id": 1]], ["not": ["any": [["cel": "tpye == 'x'"]]]]]], ["cel": "type == 1"]], [
            FieldIssue(field: "filters[1].all[0].exact.id", message: "must be a string"),
            FieldIssue(field: "filters[1].all[1].not.any[0].cel", message: "1:1: no such variable 'tpye'; did you mean 'type'?"),
            FieldIssue(field: "filters[2].cel", message: "1:6: no matching overload for '_==_' applied to '(string, int)'"),
        ]),
        ([["exact": ["type": "a"]], ["exact": ["type": "b"]], ["cel": "type == 'a' &&\n  data.x.size() > 'y'"]], [
            FieldIssue(field: "filters[2].cel", message: "2:17: no matching overload for '_>_' applied to '(int, string)'"),
        ]),
        (["cel": "'not a bool'"], [FieldIssue(field: "filters.cel", message: "1:1: a filter must evaluate to bool, but this expression is string")]),
    ] as [(JSONValue, [FieldIssue])])
    func errors(json: JSONValue, expected: [FieldIssue]) {
        #expect(issues(json) == expected)
    }

    @Test("deeply nested filters are rejected")
    func depth() {
        var json: JSONValue = ["exact": ["type": "a"]]
        for _ in 0..<20 { json = ["not": json] }
        let found = issues(json)
        #expect(found.count == 1)
        #expect(found.first?.message == "filters are nested too deeply (more than 16 levels)")
    }

    @Test("cel evaluation errors are counted and mean no match for that filter")
    func errorsCounted() throws {
        let filter = try parse([["prefix": ["type": "rapport."]], ["any": [["cel": "data.absent == 1"], ["cel": "data.other == 2"], ["exact": ["subject": "cus_123"]]]]])
        var errors = 0
        #expect(filter.matches(Self.event, errors: &errors))
        #expect(errors == 2)
        let negated = try parse(["not": ["cel": "data.absent == 1"]])
        errors = 0
        #expect(negated.matches(Self.event, errors: &errors))
        #expect(errors == 1)
        let shortCircuit = try parse([["exact": ["type": "other"]], ["cel": "data.absent == 1"]])
        errors = 0
        #expect(!shortCircuit.matches(Self.event, errors: &errors))
        #expect(errors == 0)
    }
}
