import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: multi-instance activities")
struct FlowMultiInstanceTests {
    typealias F = BPMNFixtures

    static func loop(sequential: Bool, collection: String = "approvers", element: String = "approver",
                     output: String = #"outputCollection="votes" outputElement="vote""#, completion: String? = nil) -> String {
        let condition = completion.map { "<bpmn:completionCondition>\($0.replacingOccurrences(of: ">", with: "&gt;"))</bpmn:completionCondition>" } ?? ""
        return """
            <bpmn:multiInstanceLoopCharacteristics isSequential="\(sequential)">
              <bpmn:extensionElements><rapport:loopCharacteristics inputCollection="\(collection)" inputElement="\(element)" \(output)/></bpmn:extensionElements>
              \(condition)
            </bpmn:multiInstanceLoopCharacteristics>
            """
    }

    static func approvals(_ loop: String) -> String {
        """
        <bpmn:startEvent id="s"/>
        <bpmn:serviceTask id="approve">
          <bpmn:extensionElements><rapport:taskDefinition type="approve"/></bpmn:extensionElements>
          \(loop)
        </bpmn:serviceTask>
        <bpmn:boundaryEvent id="sla" attachedToRef="approve">\(F.timer("P1D"))</bpmn:boundaryEvent>
        <bpmn:endEvent id="e"/>
        <bpmn:endEvent id="late"/>
        \(F.flow("f1", "s", "approve"))
        \(F.flow("f2", "approve", "e"))
        \(F.flow("f3", "sla", "late"))
        """
    }

    /// The inner instances waiting at `node`, by their element.
    static func inner(_ instance: FlowInstance, _ element: String) -> [(token: Int, value: JSONValue)] {
        instance.tokens.compactMap { token in token.locals[element].map { (token.id, $0) } }
    }

    @Test("parallel over a collection: one inner instance per element with its own variables, outputs gathered in the collection's order")
    func parallelCollection() throws {
        let engine = FlowEngine(try F.process(Self.approvals(Self.loop(sequential: false))))
        let started = engine.start(variables: ["approvers": ["ana", "bo", "cy"]], at: F.epoch)
        let inner = Self.inner(started.instance, "approver")
        #expect(inner.map(\.value) == ["ana", "bo", "cy"])
        #expect(started.actions.filter { if case .activateJob = $0 { true } else { false } }.count == 3)
        let body = try #require(started.instance.tokens.first { $0.locals["nrOfInstances"] == 3 })
        #expect(started.actions.contains(.scheduleTimer(token: body.id, node: "sla", due: Timestamp(microseconds: F.epoch.microseconds + 86_400_000_000))),
                "the body holds the boundary timer, once")
        #expect(started.instance.variables(for: inner[1].token)["approver"] == "bo")
        #expect(started.instance.variables(for: inner[1].token)["loopCounter"] == 2)
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: body.id, variables: [:]), on: started.instance, at: F.epoch) }
        // Done out of order: the outputs stay in the collection's order.
        var outcome = started
        for (token, value) in inner.reversed() {
            outcome = try engine.handle(.complete(token: token, variables: ["vote": .string("yes from \(value.stringValue ?? "")")]), on: outcome.instance, at: F.epoch)
        }
        #expect(outcome.instance.status == .completed)
        #expect(outcome.instance.variables["votes"] == ["yes from ana", "yes from bo", "yes from cy"])
        #expect(outcome.actions.contains(.disarm(token: body.id)))
    }

    @Test("sequential: the next inner instance starts when the one before is done")
    func sequential() throws {
        let engine = FlowEngine(try F.process(Self.approvals(Self.loop(sequential: true))))
        var outcome = engine.start(variables: ["approvers": ["ana", "bo"]], at: F.epoch)
        #expect(Self.inner(outcome.instance, "approver").map(\.value) == ["ana"])
        outcome = try engine.handle(.complete(token: Self.inner(outcome.instance, "approver")[0].token, variables: ["vote": 1]), on: outcome.instance, at: F.epoch)
        #expect(Self.inner(outcome.instance, "approver").map(\.value) == ["bo"])
        outcome = try engine.handle(.complete(token: Self.inner(outcome.instance, "approver")[0].token, variables: ["vote": 2]), on: outcome.instance, at: F.epoch)
        #expect(outcome.instance.status == .completed)
        #expect(outcome.instance.variables["votes"] == [1, 2])
    }

    @Test("a completion condition ends the activity early: the inner instances still running are withdrawn")
    func completionCondition() throws {
        let engine = FlowEngine(try F.process(Self.approvals(Self.loop(sequential: false, completion: "nrOfCompletedInstances >= 2"))))
        let started = engine.start(variables: ["approvers": ["ana", "bo", "cy"]], at: F.epoch)
        let inner = Self.inner(started.instance, "approver")
        let one = try engine.handle(.complete(token: inner[2].token, variables: ["vote": "y"]), on: started.instance, at: F.epoch)
        #expect(one.instance.status == .running)
        let two = try engine.handle(.complete(token: inner[0].token, variables: ["vote": "y"]), on: one.instance, at: F.epoch)
        #expect(two.instance.status == .completed)
        #expect(two.actions.contains(.withdraw(token: inner[1].token, node: "approve")))
        #expect(two.instance.variables["votes"] == ["y", .null, "y"])
    }

    @Test("an empty collection runs nothing and goes on; a collection that is no list is an incident; a cardinality runs that many")
    func edges() throws {
        let engine = FlowEngine(try F.process(Self.approvals(Self.loop(sequential: false))))
        let empty = engine.start(variables: ["approvers": []], at: F.epoch)
        #expect(empty.instance.status == .completed)
        #expect(empty.instance.variables["votes"] == [])
        let wrong = engine.start(variables: ["approvers": "ana"], at: F.epoch)
        guard case .incident(let message)? = wrong.instance.tokens.first?.state else {
            Issue.record("no incident: \(wrong.instance)")
            return
        }
        #expect(message.contains("not a list"))

        let counted = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:scriptTask id="tally" scriptFormat="cel">
              <bpmn:script>total = total + loopCounter</bpmn:script>
              <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>n</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
            </bpmn:scriptTask>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "tally"))
            \(F.flow("f2", "tally", "e"))
            """))
        let tallied = counted.start(variables: ["n": 4, "total": 0], at: F.epoch)
        #expect(tallied.instance.status == .completed)
        #expect(tallied.instance.variables["total"] == 10)
    }

    @Test("a parallel multi-instance subprocess: each inner instance runs the subprocess with its element; the body's interrupting timer withdraws them all")
    func subprocessBody() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:subProcess id="per_order">
              \(Self.loop(sequential: false, collection: "orders", element: "order", output: ""))
              <bpmn:startEvent id="in_s"/>
              <bpmn:userTask id="pack"/>
              <bpmn:endEvent id="in_e"/>
              \(F.flow("i1", "in_s", "pack"))
              \(F.flow("i2", "pack", "in_e"))
            </bpmn:subProcess>
            <bpmn:boundaryEvent id="sla" attachedToRef="per_order">\(F.timer("PT8H"))</bpmn:boundaryEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="late"/>
            \(F.flow("f1", "s", "per_order"))
            \(F.flow("f2", "per_order", "e"))
            \(F.flow("f3", "sla", "late"))
            """))
        let started = engine.start(variables: ["orders": ["A", "B"]], at: F.epoch)
        let packs = started.instance.tokens.filter { engine.process.nodes[$0.node].id == "pack" }
        #expect(packs.count == 2)
        #expect(packs.map { started.instance.variables(for: $0.id)["order"] } == ["A", "B"])
        let body = try #require(started.instance.tokens.first { $0.locals["nrOfInstances"] != nil })
        let late = try engine.handle(.timerFired(token: body.id, node: "sla"), on: started.instance, at: F.epoch)
        #expect(late.instance.status == .completed)
        #expect(Set(late.actions.compactMap { if case .withdraw(let token, _) = $0 { token } else { nil } }).isSuperset(of: Set(packs.map(\.id))))
        // In time: both packed, the subprocess goes on once.
        var outcome = started
        for pack in packs { outcome = try engine.handle(.complete(token: pack.id, variables: [:]), on: outcome.instance, at: F.epoch) }
        #expect(outcome.instance.status == .completed)
        #expect(outcome.steps.filter { $0.node == "e" && $0.kind == .completed }.count == 1)
    }

    @Test("a loop without what to run over, or a standard loop, is refused at deploy naming the element")
    func refused() {
        for (body, fragment) in [
            (#"<bpmn:multiInstanceLoopCharacteristics/>"#, "needs what to run over"),
            (#"<bpmn:standardLoopCharacteristics/>"#, "standardLoopCharacteristics"),
            (#"<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>=for i in items return i</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"#, "FEEL"),
        ] {
            let text = F.definitions("""
                <bpmn:startEvent id="s"/>
                <bpmn:task id="t">\(body)</bpmn:task>
                <bpmn:endEvent id="e"/>
                \(F.flow("f1", "s", "t"))
                \(F.flow("f2", "t", "e"))
                """)
            do {
                _ = try BPMNReader.read(text)
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "t" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}
