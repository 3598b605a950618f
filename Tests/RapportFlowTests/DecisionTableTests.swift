import RapportCore
import RapportFlow
import Testing

@Suite("Business rule tasks: decision tables")
struct DecisionTableTests {
    typealias F = BPMNFixtures

    static func task(policy: String = "FIRST", outputs: [String] = ["risk"], rules: String,
                     inputs: String = #"<rapport:input label="Amount" expression="amount"/><rapport:input label="Tier" expression="customer.tier"/>"#) -> String {
        """
        <bpmn:startEvent id="s"/>
        <bpmn:businessRuleTask id="assess" name="Assess the risk">
          <bpmn:extensionElements>
            <rapport:decisionTable hitPolicy="\(policy)" resultVariable="assessment">
              \(inputs)
              \(outputs.map { #"<rapport:output name="\#($0)"/>"# }.joined())
              \(rules)
            </rapport:decisionTable>
          </bpmn:extensionElements>
        </bpmn:businessRuleTask>
        <bpmn:endEvent id="e"/>
        \(F.flow("f1", "s", "assess"))
        \(F.flow("f2", "assess", "e"))
        """
    }

    static func rule(_ whens: [String], _ thens: [String]) -> String {
        func escaped(_ text: String) -> String { text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") }
        return "<rapport:rule>" + whens.map { "<rapport:when>\(escaped($0))</rapport:when>" }.joined()
            + thens.map { "<rapport:then>\(escaped($0))</rapport:then>" }.joined() + "</rapport:rule>"
    }

    static let riskRules = [
        rule(["< 5000", "-"], [#""low""#]),
        rule(["[5000..20000]", #""gold","platinum""#], [#""low""#]),
        rule(["[5000..20000]", #"not("gold","platinum")"#], [#""medium""#]),
        rule(["> 20000", "-"], [#""high""#]),
    ].joined()

    static func decide(_ body: String, _ variables: [String: JSONValue]) throws -> FlowOutcome {
        FlowEngine(try F.process(body)).start(variables: variables, at: F.epoch)
    }

    @Test("FIRST: the first rule whose tests all pass gives the result; ranges include their ends as written; no match is null",
          arguments: [(1_000, "silver", "low"), (5_000, "gold", "low"), (20_000, "silver", "medium"), (20_000.5, "gold", "high")] as [(Double, String, String)])
    func first(amount: Double, tier: String, risk: String) throws {
        let outcome = try Self.decide(Self.task(rules: Self.riskRules), ["amount": .double(amount), "customer": ["tier": .string(tier)]])
        #expect(outcome.instance.status == .completed)
        #expect(outcome.instance.variables["assessment"] == .string(risk))
    }

    @Test("a range excludes an end written with the bracket turned away; text compares as text; no rule matching gives null")
    func ranges() throws {
        let table = Self.task(rules: Self.rule(["]0..10[", #""a""#], [#""inside""#]),
                              inputs: #"<rapport:input expression="amount"/><rapport:input expression="code"/>"#)
        #expect(try Self.decide(table, ["amount": 5, "code": "a"]).instance.variables["assessment"] == "inside")
        #expect(try Self.decide(table, ["amount": 10, "code": "a"]).instance.variables["assessment"] == .null)
        #expect(try Self.decide(table, ["amount": 0, "code": "a"]).instance.variables["assessment"] == .null)
        #expect(try Self.decide(table, ["amount": 5, "code": "b"]).instance.variables["assessment"] == .null)
    }

    @Test("several outputs give an object; COLLECT gives every match's in rule order; UNIQUE with two matches is an incident naming them")
    func policies() throws {
        let two = Self.task(policy: "COLLECT", outputs: ["risk", "review"],
                            rules: Self.rule(["< 100000", "-"], [#""any""#, "amount > 10000"]) + Self.rule([">= 10000", #""gold""#], [#""vip""#, "false"]))
        #expect(try Self.decide(two, ["amount": 50_000, "customer": ["tier": "gold"]]).instance.variables["assessment"]
                == [["risk": "any", "review": true], ["risk": "vip", "review": false]])
        #expect(try Self.decide(two, ["amount": 500, "customer": ["tier": "gold"]]).instance.variables["assessment"] == [["risk": "any", "review": false]])

        let unique = Self.task(policy: "UNIQUE", rules: Self.rule(["< 100", "-"], [#""a""#]) + Self.rule(["< 50", "-"], [#""b""#]))
        let clash = try Self.decide(unique, ["amount": 10, "customer": ["tier": "x"]])
        guard case .incident(let message)? = clash.instance.tokens.first?.state else {
            Issue.record("no incident: \(clash.instance)")
            return
        }
        #expect(message.contains("rules 1, 2 all match, and the hit policy is UNIQUE"), "\(message)")
        #expect(try Self.decide(unique, ["amount": 70, "customer": ["tier": "x"]]).instance.variables["assessment"] == "a")

        let any = Self.task(policy: "ANY", rules: Self.rule(["< 100", "-"], [#""a""#]) + Self.rule(["< 50", "-"], [#""a""#]))
        #expect(try Self.decide(any, ["amount": 10, "customer": ["tier": "x"]]).instance.variables["assessment"] == "a")
    }

    @Test("an input that fails is an incident naming it; bad tables are refused at deploy naming the rule and cell")
    func failures() throws {
        let missing = try Self.decide(Self.task(rules: Self.riskRules), ["amount": 1])
        guard case .incident(let message)? = missing.instance.tokens.first?.state else {
            Issue.record("no incident: \(missing.instance)")
            return
        }
        #expect(message.contains("the input Tier, `customer.tier`, failed"), "\(message)")

        for (body, fragment) in [
            (Self.task(policy: "PRIORITY", rules: Self.riskRules), "the hit policy PRIORITY is not one of"),
            (Self.task(rules: Self.rule(["< amount", "-"], [#""x""#])), "rule 1, input Amount: `< amount` is not a unary test Rapport reads"),
            (Self.task(rules: Self.rule(["-"], [#""x""#])), "rule 1 has 1 <rapport:when> and 1 <rapport:then>"),
            (Self.task(rules: Self.rule(["-", "-"], ["1 +"])), "rule 1, output risk: `1 +`"),
            (Self.task(outputs: [], rules: ""), "needs at least one <rapport:output"),
        ] {
            do {
                _ = try BPMNReader.read(F.definitions(body))
                Issue.record("accepted: \(fragment)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "assess" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }

    @Test("unary tests read as DMN writes them", arguments: [
        ("-", 5, true), ("5", 5, true), ("5", 5.0, true), ("<= 5", 5, true), ("> 5", 5, false), ("[1..5)", 5, false),
        ("1, 2, 3", 2, true), ("not(1, 2)", 3, true), ("not(1, 2)", 2, false), (#""a""#, "a", true), (#"< "m""#, "b", true),
        ("true", true, true), ("< 5", "4", false),
    ] as [(String, JSONValue, Bool)])
    func unaryTests(text: String, value: JSONValue, passes: Bool) throws {
        let test = try UnaryTest.parse(text).get()
        #expect(test.passes(value) == passes)
    }
}
