import Testing
@testable import RapportCore

@Suite("Subscription index")
struct SubscriptionIndexTests {
    private func event(_ type: String, kind: JSONValue = "email", sequence: Int64 = 1) -> Event {
        Event(sequence: sequence, id: "evt_\(sequence)", type: type, subject: "cus_1",
              time: Timestamp(microseconds: 1_795_316_400_000_000), data: ["kind": kind])
    }

    private func cel(_ text: String) throws -> SubscriptionFilter {
        .cel(try CompiledExpression(filter: text))
    }

    @Test("random filters and events: the index gives exactly what evaluating every filter gives")
    func agreesWithBruteForce() {
        var cases = 0
        for seed in UInt64(1)...300 {
            var generator = RandomFilters(random: SeededRandom(seed: seed))
            let filters = (0..<Int(seed % 60) + 1).map { _ in generator.filter() }
            let index = SubscriptionIndex(filters.enumerated().map { (id: $0.offset, filter: $0.element) })
            var scratch = SubscriptionIndex<Int>.Scratch()
            var found: [Int] = []
            for sequence in 1...40 {
                let event = generator.event(sequence: Int64(sequence))
                let expected = filters.indices.filter { filters[$0].matches(event) }
                index.matches(event, into: &found, scratch: &scratch)
                cases += 1
                guard found == expected, index.matches(event) == expected else {
                    Issue.record("seed \(seed), event \(sequence) (\(event.type)): index \(found), brute force \(expected)")
                    return
                }
            }
        }
        #expect(cases == 12_000)
    }

    @Test("keys come from exact and prefix filters, `all`, `any` and top-level CEL conjuncts")
    func keys() throws {
        #expect(FilterKey.of(.exact([AttributeCondition(.type, "a"), AttributeCondition(.subject, "s")])) == FilterKey(exact: ["a"]))
        #expect(FilterKey.of(.exact([AttributeCondition(.subject, "s")])) == nil)
        #expect(FilterKey.of(.prefix([AttributeCondition(.type, "a.")])) == FilterKey(prefixes: ["a."]))
        #expect(FilterKey.of(.suffix([AttributeCondition(.type, ".b")])) == FilterKey(suffixes: [".b"]))
        #expect(FilterKey.of(.all([.prefix([AttributeCondition(.type, "a.")]), .exact([AttributeCondition(.type, "a.b")])]))
            == FilterKey(exact: ["a.b"]))
        #expect(FilterKey.of(.all([])) == nil)
        #expect(FilterKey.of(.any([.exact([AttributeCondition(.type, "x")]), .prefix([AttributeCondition(.type, "y")])]))
            == FilterKey(exact: ["x"], prefixes: ["y"]))
        #expect(FilterKey.of(.any([.exact([AttributeCondition(.type, "x")]), .exact([AttributeCondition(.subject, "s")])])) == nil)
        #expect(FilterKey.of(.any([])) == FilterKey())
        #expect(FilterKey.of(.not(.exact([AttributeCondition(.type, "x")]))) == nil)
        #expect(FilterKey.of(try cel(#"type == "a" && data.kind in ["email", "chat"]"#)) == FilterKey(exact: ["a"]))
        #expect(FilterKey.of(try cel(#"data.kind == "email" && "a" == type"#)) == FilterKey(exact: ["a"]))
        #expect(FilterKey.of(try cel(#"type in ["a", "b"] && data.x == 1"#)) == FilterKey(exact: ["a", "b"]))
        #expect(FilterKey.of(try cel(#"type.startsWith("rapport.customer.") && data.x == 1"#)) == FilterKey(prefixes: ["rapport.customer."]))
        #expect(FilterKey.of(try cel(#"type == "a" || type.endsWith(".b")"#)) == FilterKey(exact: ["a"], suffixes: [".b"]))
        #expect(FilterKey.of(try cel(#"type == "a" || data.x == 1"#)) == nil)
        #expect(FilterKey.of(try cel(#"!(type == "a")"#)) == nil)
        #expect(FilterKey.of(try cel(#"type != "a""#)) == nil)
        #expect(FilterKey.of(try cel(#"data.customer.attributes.tier == "vip""#)) == nil)
    }

    @Test("only candidates are evaluated")
    func prunes() throws {
        let types = (0..<10).map { "rapport.thing\($0).created" }
        var subscriptions: [(id: Int, filter: SubscriptionFilter)] = []
        for number in 0..<1_000 {
            let type = types[number % 10]
            let filter: SubscriptionFilter
            switch (number / 10) % 4 {
            case 0: filter = .exact([AttributeCondition(.type, type)])
            case 1: filter = .prefix([AttributeCondition(.type, "rapport.thing\(number % 10).")])
            case 2: filter = try cel(#"type == "\#(type)" && data.kind == "email""#)
            default: filter = try cel(#"type in ["\#(type)", "other"] && data.kind == "chat""#)
            }
            subscriptions.append((number, filter))
        }
        subscriptions.append((1_000, .not(.exact([AttributeCondition(.type, types[0])]))))
        let index = SubscriptionIndex(subscriptions)
        #expect(index.unindexedCount == 1)
        #expect(index.candidateCount(forType: types[3]) == 101)
        #expect(index.candidateCount(forType: "rapport.unknown") == 1)

        var scratch = SubscriptionIndex<Int>.Scratch()
        var found: [Int] = []
        // Exact, prefix and `not` filters read only the type: decided once per type, never per event.
        // The CEL ones are their type conjunct and `data.kind == "..."`: a value-key hit is a match.
        let evaluated = index.matches(event(types[3]), into: &found, scratch: &scratch)
        #expect(evaluated == 0)
        #expect(scratch.lastCandidateCount == 101)
        #expect(scratch.lastValueHitCount == 25)
        #expect(found == (0..<1_000).filter { $0 % 10 == 3 && ($0 / 10) % 4 != 3 } + [1_000])
        index.matches(event(types[3], kind: "chat", sequence: 2), into: &found, scratch: &scratch)
        #expect(found == (0..<1_000).filter { $0 % 10 == 3 && ($0 / 10) % 4 != 2 } + [1_000])
        #expect(index.matches(event(types[0], kind: "fax")) == (0..<1_000).filter { $0 % 10 == 0 && ($0 / 10) % 4 < 2 })
    }

    @Test("a filter needs the paths whose absence makes it an error, never paths under || or a branch")
    func requiredPaths() throws {
        func required(_ text: String) throws -> String? {
            FilterShape(try cel(text)).requiredPath.map { ([$0.root] + $0.keys).joined(separator: ".") }
        }
        #expect(try required("data.deal.amount > 1000") == "data.deal.amount")
        #expect(try required(#"type == "rapport.deal.updated" && data.deal.amount > 1000"#) == "data.deal.amount")
        #expect(try required(#"data.interaction.body.contains("refund")"#) == "data.interaction.body")
        #expect(try required(#""stage" in data.changed_fields"#) == "data.changed_fields")
        #expect(try required("!(data.a.b < 2)") == "data.a.b")
        #expect(try required("has(data.a.b)") == "data.a")
        #expect(try required("size(data.a) > 1 && data.b.c.d == 2") == "data.b.c.d")
        #expect(try required("[data.a][0] == 1") == "data.a")
        #expect(try required("(data.a == 1 ? data.b == 2 : data.c == 3)") == "data.a")
        #expect(try required("data.list.exists(x, x == data.b)") == "data.list")
        #expect(try required("data.a > 1 || data.b > 1") == nil)
        #expect(try required("!(data.a > 1 && data.b > 1)") == nil)
        #expect(try required(#"type == "rapport.deal.updated""#) == nil)
    }

    @Test("filters without a key are evaluated only for events with the paths they need, once per distinct filter")
    func guardedAndShared() throws {
        var subscriptions: [(id: Int, filter: SubscriptionFilter)] = []
        for number in 0..<300 {
            let text = ["data.deal.amount > 1000", #"data.kind.startsWith("em")"#, "data.missing > 1 || data.kind == \"chat\""][number % 3]
            subscriptions.append((number, try cel(text)))
        }
        let index = SubscriptionIndex(subscriptions)
        #expect(index.unindexedCount == 300)
        var scratch = SubscriptionIndex<Int>.Scratch()
        var found: [Int] = []
        // No `data.deal`: the 100 amount filters are skipped; the 200 others are two distinct filters.
        #expect(index.matches(event("rapport.interaction.created"), into: &found, scratch: &scratch) == 2)
        #expect(found == (0..<300).filter { $0 % 3 == 1 })
        let deal = Event(sequence: 2, id: "evt_2", type: "rapport.deal.updated", subject: "cus_1",
                         time: Timestamp(microseconds: 1_795_316_400_000_000), data: ["deal": ["amount": 5_000], "kind": "chat"])
        #expect(index.matches(deal, into: &found, scratch: &scratch) == 3)
        #expect(found == (0..<300).filter { $0 % 3 != 1 })
    }

    @Test("value keys come from equalities on data paths, the subject and the source, and nothing else")
    func valueKeys() throws {
        func key(_ filter: SubscriptionFilter) -> ValueKey? { FilterShape(filter).key }
        let kind = ValuePath(root: "data", keys: ["interaction", "kind"])
        #expect(key(try cel(#"type == "a" && data.interaction.kind == "email""#)) == ValueKey(path: kind, values: [.string("email")]))
        #expect(key(try cel(#"type == "a" && "email" == data["interaction"].kind"#)) == ValueKey(path: kind, values: [.string("email")]))
        #expect(key(try cel(#"data.interaction.kind in ["email", 1.0, 2, true, null]"#))
            == ValueKey(path: kind, values: [.string("email"), .integer(1), .integer(2), .bool(true), .null]))
        #expect(key(try cel(#"data.n == 1.5 && data.interaction.kind in ["a", "b"]"#)) == ValueKey(path: ValuePath(root: "data", keys: ["n"]), values: [.double(1.5)]))
        #expect(key(try cel(#"subject == "cus_1""#)) == ValueKey(path: ValuePath(root: "subject", keys: []), values: [.string("cus_1")]))
        #expect(key(.exact([AttributeCondition(.type, "a"), AttributeCondition(.subject, "cus_1")]))
            == ValueKey(path: ValuePath(root: "subject", keys: []), values: [.string("cus_1")]))
        #expect(key(.all([.prefix([AttributeCondition(.type, "a.")]), .exact([AttributeCondition(.subject, "s")])])) != nil)
        // Not equalities, or not at the top level, or against lists and maps: no key.
        #expect(key(try cel(#"data.kind != "email""#)) == nil)
        #expect(key(try cel(#"!(data.kind == "email")"#)) == nil)
        #expect(key(try cel(#"data.kind == "email" || data.kind == "chat""#)) == nil)
        #expect(key(try cel(#"data.kind in [["email"]]"#)) == nil)
        #expect(key(try cel(#"data.kind == {"a": 1}"#)) == nil)
        #expect(key(try cel(#"data.kind == data.other"#)) == nil)
        #expect(key(try cel(#"data.amount > 10"#)) == nil)
        #expect(key(.not(.exact([AttributeCondition(.subject, "s")]))) == nil)
        #expect(key(.prefix([AttributeCondition(.subject, "s")])) == nil)
        // Decided by the key only when nothing but type-only conjuncts remains.
        #expect(FilterShape(try cel(#"type.startsWith("a.") && data.kind == "email""#)).decidedByKey)
        #expect(!FilterShape(try cel(#"data.kind == "email" && data.amount > 10"#)).decidedByKey)
        #expect(!FilterShape(try cel(#"data.kind == "email" && subject == "s""#)).decidedByKey)
    }

    @Test("indexed values are equal exactly when CEL says the values are")
    func indexedValueEquality() {
        let values = RandomFilters.values.compactMap { $0 } + [.double(.nan), .double(.infinity), .double(-1e300), .integer(.min),
                                                                 .double(-9_223_372_036_854_775_808.0), .double(0.5), .null]
        for a in values {
            for b in values {
                let cel = ExpressionOperations.equals(a, b)
                guard let key = IndexedValue(b) else {
                    // No key for the constant: such comparisons are never indexed.
                    continue
                }
                let indexed = IndexedValue(a).map { Set([key]).contains($0) } ?? false
                #expect(cel == indexed, "\(a) == \(b): CEL \(cel), index \(indexed)")
            }
        }
        #expect(IndexedValue(.double(.nan)) == nil)
        #expect(IndexedValue(["c1"]) == nil)
    }

    @Test("a filter decided by its keys is reported without evaluation; others are evaluated")
    func decidedByKeys() throws {
        let index = SubscriptionIndex([
            (id: 0, filter: .exact([AttributeCondition(.type, "a"), AttributeCondition(.subject, "cus_1")])),
            (id: 1, filter: try cel(#"type == "a" && data.kind in ["email", "chat"]"#)),
            (id: 2, filter: try cel(#"type == "a" && data.kind == "email" && size(subject) > 3"#)),
            (id: 3, filter: try cel(#"type == "b" && data.kind == "email""#)),
            (id: 4, filter: try cel(#"data.kind == "email" && type.endsWith("a")"#)),
            (id: 5, filter: try cel(#"data.kind == "fax""#)),
        ])
        var scratch = SubscriptionIndex<Int>.Scratch()
        var found: [Int] = []
        #expect(index.valueKeyedCount == 6)
        #expect(index.matches(event("a"), into: &found, scratch: &scratch) == 1)
        #expect(found == [0, 1, 2, 4])
        #expect(scratch.lastValueHitCount == 4)
        #expect(index.matches(event("a", kind: "fax"), into: &found, scratch: &scratch) == 0)
        #expect(found == [0, 5])
        #expect(index.matches(event("a", kind: 3), into: &found, scratch: &scratch) == 0)
        #expect(found == [0])
    }

    @Test("filters that can never match are no candidates; empty filters match everything")
    func degenerate() throws {
        let index = SubscriptionIndex([
            (id: "never", filter: .any([])),
            (id: "always", filter: .all([])),
            (id: "empty-list", filter: try cel("type in []")),
        ])
        #expect(index.candidateCount(forType: "rapport.customer.created") == 1)
        #expect(index.matches(event("rapport.customer.created")) == ["always"])
    }

    @Test("a scratch used with another index forgets the first index's plans")
    func scratchFollowsIndex() {
        let first = SubscriptionIndex([(id: 1, filter: .exact([AttributeCondition(.type, "a")]))])
        let second = SubscriptionIndex([(id: 2, filter: .exact([AttributeCondition(.type, "b")]))])
        var scratch = SubscriptionIndex<Int>.Scratch()
        var found: [Int] = []
        first.matches(event("a"), into: &found, scratch: &scratch)
        #expect(found == [1])
        second.matches(event("a"), into: &found, scratch: &scratch)
        #expect(found.isEmpty)
        second.matches(event("b"), into: &found, scratch: &scratch)
        #expect(found == [2])
    }

    @Test("prefix and suffix keys compare bytes, exact keys compare strings, as the filters do")
    func unicode() {
        let composed = "rapport.caf\u{E9}"
        let decomposed = "rapport.cafe\u{301}"
        let filters: [SubscriptionFilter] = [
            .exact([AttributeCondition(.type, composed)]),
            .prefix([AttributeCondition(.type, composed)]),
            .suffix([AttributeCondition(.type, "\u{E9}")]),
        ]
        let index = SubscriptionIndex(filters.enumerated().map { (id: $0.offset, filter: $0.element) })
        var scratch = SubscriptionIndex<Int>.Scratch()
        var found: [Int] = []
        for type in [composed, decomposed, composed] {
            let event = event(type)
            index.matches(event, into: &found, scratch: &scratch)
            #expect(found == filters.indices.filter { filters[$0].matches(event) })
        }
    }
}
