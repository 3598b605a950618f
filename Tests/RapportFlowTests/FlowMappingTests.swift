import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: input and output mappings")
struct FlowMappingTests {
    typealias F = BPMNFixtures

    static let zeebeNamespace = #"xmlns:zeebe="http://camunda.org/schema/zeebe/1.0""#

    static func process(_ body: String, roots: String = "") throws -> ProcessDefinition {
        try #require(BPMNReader.read(F.definitions(body, extraNamespaces: zeebeNamespace, roots: roots)).processes.first)
    }

    static func token(at node: String, _ engine: FlowEngine, _ instance: FlowInstance) throws -> Int {
        try #require(instance.tokens.first { engine.process.nodes[$0.node].id == node }).id
    }

    static func serviceTask(_ mappings: String) -> String {
        """
        <bpmn:startEvent id="s"/>
        <bpmn:serviceTask id="score">
          <bpmn:extensionElements>
            <zeebe:taskDefinition type="score"/>
            <zeebe:ioMapping>\(mappings)</zeebe:ioMapping>
          </bpmn:extensionElements>
        </bpmn:serviceTask>
        <bpmn:endEvent id="e"/>
        \(F.flow("f1", "s", "score"))
        \(F.flow("f2", "score", "e"))
        """
    }

    @Test("Camunda 8's inputs are the task's own variables while it waits (FEEL, each seeing those before, or static text); they do not outlive it")
    func inputs() throws {
        let engine = FlowEngine(try Self.process(Self.serviceTask("""
            <zeebe:input source="=applicant.income * 12" target="yearly"/>
            <zeebe:input source="=yearly &gt; 50000" target="high"/>
            <zeebe:input source="branch/north" target="region"/>
            """)))
        let started = engine.start(variables: ["applicant": ["income": 5_000]], at: F.epoch)
        let token = try Self.token(at: "score", engine, started.instance)
        let seen = started.instance.variables(for: token)
        #expect(seen["yearly"] == 60_000)
        #expect(seen["high"] == true)
        #expect(seen["region"] == "branch/north", "a source without = is a static text, slash and all")
        #expect(started.instance.variables["yearly"] == nil, "an input is the task's, not the instance's")
        let done = try engine.handle(.complete(token: token, variables: ["score": 710]), on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables == ["applicant": ["income": 5_000], "score": 710],
                "without outputs the job's variables go on; the inputs end with the task")
    }

    @Test("with outputs, what the task is completed with stays its own: only the outputs reach the instance")
    func outputs() throws {
        let engine = FlowEngine(try Self.process(Self.serviceTask("""
            <zeebe:input source="=amount" target="asked"/>
            <zeebe:output source="=result.score" target="credit_score"/>
            <zeebe:output source="=asked &lt;= result.limit" target="affordable"/>
            """)))
        let started = engine.start(variables: ["amount": 900], at: F.epoch)
        let token = try Self.token(at: "score", engine, started.instance)
        let done = try engine.handle(.complete(token: token, variables: ["result": ["score": 640, "limit": 1_000], "debug": "x"]),
                                     on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables == ["amount": 900, "credit_score": 640, "affordable": true])
    }

    @Test("an input or output that fails puts the token in an incident naming the mapping; a retry after the fix goes on")
    func failingMapping() throws {
        let engine = FlowEngine(try Self.process(Self.serviceTask("""
            <zeebe:input source="=customer.tier" target="tier"/>
            <zeebe:output source="=result.score" target="credit_score"/>
            """)))
        let started = engine.start(variables: [:], at: F.epoch)
        let token = try #require(started.instance.tokens.first).id
        guard case .incident(let message) = try #require(started.instance.token(token)).state else {
            Issue.record("no incident: \(started.instance.tokens)")
            return
        }
        #expect(message.contains("input mapping `tier = =customer.tier` of score"), "\(message)")
        #expect(!started.actions.contains { if case .activateJob = $0 { true } else { false } }, "no job for a task whose inputs failed")
        var fixed = try engine.handle(.setVariables(["customer": ["tier": "gold"]]), on: started.instance, at: F.epoch)
        fixed = try engine.handle(.retry(token: token), on: fixed.instance, at: F.epoch)
        #expect(fixed.instance.variables(for: token)["tier"] == "gold")
        let done = try engine.handle(.complete(token: token, variables: ["other": 1]), on: fixed.instance, at: F.epoch)
        guard case .incident(let output)? = done.instance.token(token)?.state else {
            Issue.record("no incident for the output: \(done.instance.tokens)")
            return
        }
        #expect(output.contains("output mapping `credit_score"), "\(output)")
    }

    @Test("each inner instance of a multi-instance task has its own inputs, made from its element")
    func multiInstanceInputs() throws {
        let engine = FlowEngine(try Self.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:userTask id="review">
              <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=lower case(reviewer) + &quot; reviews&quot;" target="title"/></zeebe:ioMapping></bpmn:extensionElements>
              <bpmn:multiInstanceLoopCharacteristics>
                <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=reviewers" inputElement="reviewer"/></bpmn:extensionElements>
              </bpmn:multiInstanceLoopCharacteristics>
            </bpmn:userTask>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "review"))
            \(F.flow("f2", "review", "e"))
            """))
        let started = engine.start(variables: ["reviewers": ["Ana", "BO"]], at: F.epoch)
        let titles = started.instance.tokens.compactMap { $0.locals["title"] }
        #expect(titles == ["ana reviews", "bo reviews"])
    }

    @Test("a message catch event with outputs keeps the message's variables to itself and passes on what the outputs pick")
    func messageOutputs() throws {
        let engine = FlowEngine(try Self.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateCatchEvent id="signed">
              <bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=document.id" target="contract_id"/></zeebe:ioMapping></bpmn:extensionElements>
              <bpmn:messageEventDefinition messageRef="m"/>
            </bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "signed"))
            \(F.flow("f2", "signed", "e"))
            """, roots: #"<bpmn:message id="m" name="contract_signed"/>"#))
        let started = engine.start(variables: [:], at: F.epoch)
        let token = try Self.token(at: "signed", engine, started.instance)
        let done = try engine.handle(.messageReceived(token: token, node: "signed", variables: ["document": ["id": "D-1", "pages": 3]]),
                                     on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables == ["contract_id": "D-1"])
    }

    @Test("a subprocess's inputs are seen by everything inside it and by nothing after it")
    func subprocessInputs() throws {
        let engine = FlowEngine(try Self.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:subProcess id="sub">
              <bpmn:extensionElements><rapport:ioMapping><rapport:input source="amount * 2" target="limit"/>
                <rapport:output source="limit - used" target="left"/></rapport:ioMapping></bpmn:extensionElements>
              <bpmn:startEvent id="ss"/>\(F.script("use", "used = limit / 4"))<bpmn:endEvent id="se"/>
              \(F.flow("g1", "ss", "use"))\(F.flow("g2", "use", "se"))
            </bpmn:subProcess>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "sub"))
            \(F.flow("f2", "sub", "e"))
            """))
        let done = engine.start(variables: ["amount": 100], at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables == ["amount": 100, "used": 50, "left": 150])
    }

    @Test("mappings are refused at deploy where they cannot run: on a gateway, both kinds on one node, FEEL beyond the subset, a bad target")
    func refused() throws {
        for (body, fragment) in [
            (#"<bpmn:exclusiveGateway id="a"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="x"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:exclusiveGateway>"#,
             "a gateway takes no variable mappings"),
            (#"<bpmn:task id="a"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="x"/></zeebe:ioMapping><rapport:ioMapping><rapport:input source="1" target="y"/></rapport:ioMapping></bpmn:extensionElements></bpmn:task>"#,
             "give one ioMapping"),
            (#"<bpmn:task id="a"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=for x in y return x" target="x"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>"#,
             "is FEEL beyond the subset"),
            (#"<bpmn:task id="a"><bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=1" target="a.b"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>"#,
             "is not a variable name"),
        ] {
            do {
                _ = try BPMNReader.read(F.definitions("""
                    <bpmn:startEvent id="s"/>\(body)<bpmn:endEvent id="e"/>\(F.flow("f1", "s", "a"))\(F.flow("f2", "a", "e"))
                    """, extraNamespaces: Self.zeebeNamespace))
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "a" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}
