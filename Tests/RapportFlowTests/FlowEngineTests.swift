import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: the pure state machine")
struct FlowEngineTests {
    typealias F = BPMNFixtures

    /// The ids of the nodes where tokens wait, sorted.
    static func waiting(_ engine: FlowEngine, _ instance: FlowInstance) -> [String] {
        instance.tokens.map { engine.process.nodes[$0.node].id }.sorted()
    }

    static func token(at node: String, _ engine: FlowEngine, _ instance: FlowInstance) throws -> Int {
        try #require(instance.tokens.first { engine.process.nodes[$0.node].id == node }).id
    }

    @Test("CRM order, large amount: review, then ledger and the notify job in parallel, joined, completed", arguments: [
        (1_480, "review", true), (7_000, "review", false), (300, "auto", true),
    ])
    func crmOrder(amount: Int64, route: String, approved: Bool) throws {
        let engine = FlowEngine(try #require(BPMNReader.read(try F.repositoryFile("docs/processes/crm_order.bpmn")).process("crm_order")))
        let started = engine.start(variables: ["amount": .integer(amount), "customer": "cus_1"], at: F.epoch)
        #expect(started.instance.status == .running)
        #expect(Self.waiting(engine, started.instance) == ["and_join", "notify_customer"])
        #expect(started.instance.variables["route"] == .string(route))
        #expect(started.instance.variables["approved"] == .bool(approved))
        #expect(started.instance.variables["ledger_entry"] == .object(["amount": .integer(amount), "approved": .bool(approved)]))
        let notify = try Self.token(at: "notify_customer", engine, started.instance)
        #expect(started.actions == [.activateJob(token: notify, node: "notify_customer", job: JobDefinition(type: "notify", retries: 3))])
        let done = try engine.handle(.complete(token: notify, variables: ["notify_result": ["sent_to": "cus_1"]]), on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.tokens.isEmpty)
        #expect(done.instance.variables["notify_result"] == .object(["sent_to": "cus_1"]))
        let path = (started.steps + done.steps).filter { $0.kind == .completed }.map(\.node)
        #expect(path.contains(route == "review" ? "manual_review" : "auto_approve"))
        #expect(!path.contains(route == "review" ? "auto_approve" : "manual_review"))
        #expect(path.last == "end")
    }

    @Test("an exclusive gateway with no condition holding and no default raises an incident; fixed variables and a retry go on")
    func exclusiveIncident() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:exclusiveGateway id="x"/>
            <bpmn:endEvent id="big"/>
            <bpmn:endEvent id="small"/>
            \(F.flow("f1", "s", "x"))
            \(F.flow("f2", "x", "big", condition: "amount > 100"))
            \(F.flow("f3", "x", "small", condition: "amount <= 100"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        let stuck = try #require(started.instance.tokens.first)
        guard case .incident(let message) = stuck.state else {
            Issue.record("the token is \(stuck.state)")
            return
        }
        #expect(message.contains("f2") && message.contains("amount > 100"))
        #expect(started.actions.count == 1)
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: stuck.id, variables: [:]), on: started.instance, at: F.epoch) }
        let fixed = try engine.handle(.setVariables(["amount": 5]), on: started.instance, at: F.epoch)
        #expect(fixed.instance.tokens == started.instance.tokens)
        let retried = try engine.handle(.retry(token: stuck.id), on: fixed.instance, at: F.epoch)
        #expect(retried.instance.status == .completed)
        #expect(retried.steps.last == FlowStep(.completed, node: "small", token: stuck.id))
    }

    @Test("an inclusive gateway forks to every flow whose condition holds and joins exactly those, not waiting for the branch not taken")
    func inclusiveJoinWithATokenThatNeverComes() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:inclusiveGateway id="fork" default="fc"/>
            \(F.serviceTask("email", type: "email"))
            \(F.serviceTask("sms", type: "sms"))
            \(F.serviceTask("letter", type: "letter"))
            <bpmn:inclusiveGateway id="join"/>
            \(F.script("after", "joined = true"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f0", "s", "fork"))
            \(F.flow("fa", "fork", "email", condition: "has_email"))
            \(F.flow("fb", "fork", "sms", condition: "has_phone"))
            \(F.flow("fc", "fork", "letter"))
            \(F.flow("ja", "email", "join"))
            \(F.flow("jb", "sms", "join"))
            \(F.flow("jc", "letter", "join"))
            \(F.flow("j1", "join", "after"))
            \(F.flow("j2", "after", "e"))
            """))
        let started = engine.start(variables: ["has_email": true, "has_phone": true], at: F.epoch)
        #expect(Self.waiting(engine, started.instance) == ["email", "sms"])
        let afterEmail = try engine.handle(.complete(token: try Self.token(at: "email", engine, started.instance), variables: [:]),
                                           on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, afterEmail.instance) == ["join", "sms"], "the join waits while the SMS can still come")
        let done = try engine.handle(.complete(token: try Self.token(at: "sms", engine, afterEmail.instance), variables: [:]),
                                     on: afterEmail.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables["joined"] == true)
        #expect(done.steps.filter { $0.node == "after" && $0.kind == .completed }.count == 1, "the join fires once")

        let neither = engine.start(variables: ["has_email": false, "has_phone": false], at: F.epoch)
        #expect(Self.waiting(engine, neither.instance) == ["letter"], "the default flow when no condition holds")
        let letter = try engine.handle(.complete(token: try Self.token(at: "letter", engine, neither.instance), variables: [:]),
                                       on: neither.instance, at: F.epoch)
        #expect(letter.instance.status == .completed)
    }

    @Test("a parallel join waits for every incoming flow; a terminate end event ends the tokens still waiting and withdraws their work")
    func parallelAndTerminate() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:parallelGateway id="fork"/>
            \(F.serviceTask("slow"))
            <bpmn:userTask id="approve" name="Approve"><bpmn:extensionElements><rapport:assignment candidateGroups="finance, sales" dueAfter="P2D"/></bpmn:extensionElements></bpmn:userTask>
            <bpmn:exclusiveGateway id="ok" default="fine"/>
            <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>
            <bpmn:parallelGateway id="join"/>
            <bpmn:endEvent id="e"/>
            \(F.flow("f0", "s", "fork"))
            \(F.flow("f1", "fork", "slow"))
            \(F.flow("f2", "fork", "approve"))
            \(F.flow("f3", "approve", "ok"))
            \(F.flow("rejected", "ok", "stop", condition: "!approved"))
            \(F.flow("fine", "ok", "join"))
            \(F.flow("f4", "slow", "join"))
            \(F.flow("f5", "join", "e"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        let approve = try Self.token(at: "approve", engine, started.instance)
        #expect(started.actions.contains(.openUserTask(token: approve, node: "approve", name: "Approve",
                                                       task: UserTaskDefinition(assignee: nil, candidateGroups: ["finance", "sales"], dueAfter: ISODuration("P2D")))))
        let approved = try engine.handle(.complete(token: approve, variables: ["approved": true]), on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, approved.instance) == ["join", "slow"])
        let joined = try engine.handle(.complete(token: try Self.token(at: "slow", engine, approved.instance), variables: [:]),
                                       on: approved.instance, at: F.epoch)
        #expect(joined.instance.status == .completed)

        let rejected = try engine.handle(.complete(token: approve, variables: ["approved": false]), on: started.instance, at: F.epoch)
        #expect(rejected.instance.status == .terminated)
        #expect(rejected.instance.tokens.isEmpty)
        let slow = try Self.token(at: "slow", engine, started.instance)
        #expect(rejected.actions == [.withdraw(token: slow, node: "slow")])
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: slow, variables: [:]), on: rejected.instance, at: F.epoch) }
    }

    @Test("a timer catch event asks for a timer due after its duration and goes on when it fires")
    func timer() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "wait"))
            \(F.flow("f2", "wait", "e"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        let token = try Self.token(at: "wait", engine, started.instance)
        #expect(started.actions == [.scheduleTimer(token: token, node: "wait", due: Timestamp(microseconds: F.epoch.microseconds + 4 * 3_600_000_000))])
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: token, variables: [:]), on: started.instance, at: F.epoch) }
        let fired = try engine.handle(.timerFired(token: token, node: "wait"), on: started.instance, at: F.epoch)
        #expect(fired.instance.status == .completed)
    }

    static let slaModel = """
        <bpmn:startEvent id="s"/>
        <bpmn:userTask id="underwrite" name="Underwrite"><bpmn:extensionElements><rapport:assignment candidateGroups="finance"/></bpmn:extensionElements></bpmn:userTask>
        <bpmn:boundaryEvent id="sla" attachedToRef="underwrite"><bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="nudge" attachedToRef="underwrite" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        \(F.serviceTask("escalate", type: "escalate"))
        \(F.serviceTask("remind", type: "remind"))
        <bpmn:endEvent id="done"/>
        <bpmn:endEvent id="escalated"/>
        <bpmn:endEvent id="reminded"/>
        \(F.flow("f1", "s", "underwrite"))
        \(F.flow("f2", "underwrite", "done"))
        \(F.flow("f3", "sla", "escalate"))
        \(F.flow("f4", "escalate", "escalated"))
        \(F.flow("f5", "nudge", "remind"))
        \(F.flow("f6", "remind", "reminded"))
        """

    @Test("boundary timers on a user task: both start with it; the non-interrupting one adds a token, the interrupting one (the SLA) withdraws the task and escalates")
    func boundaryTimers() throws {
        let engine = FlowEngine(try F.process(Self.slaModel))
        let started = engine.start(variables: [:], at: F.epoch)
        let token = try Self.token(at: "underwrite", engine, started.instance)
        let hour: Int64 = 3_600_000_000
        #expect(started.actions.contains(.scheduleTimer(token: token, node: "sla", due: Timestamp(microseconds: F.epoch.microseconds + 48 * hour))))
        #expect(started.actions.contains(.scheduleTimer(token: token, node: "nudge", due: Timestamp(microseconds: F.epoch.microseconds + 4 * hour))))

        let nudged = try engine.handle(.timerFired(token: token, node: "nudge"), on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, nudged.instance) == ["remind", "underwrite"], "the task goes on waiting beside the reminder")
        #expect(!nudged.actions.contains { if case .withdraw = $0 { true } else { false } })

        let escalated = try engine.handle(.timerFired(token: token, node: "sla"), on: nudged.instance, at: F.epoch)
        #expect(escalated.actions.first == .withdraw(token: token, node: "underwrite"))
        #expect(Self.waiting(engine, escalated.instance) == ["escalate", "remind"])
        #expect(escalated.steps.first == FlowStep(.withdrawn, node: "underwrite", token: token))
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: token, variables: [:]), on: escalated.instance, at: F.epoch) }
        #expect(throws: FlowInputError.self) { try engine.handle(.timerFired(token: token, node: "sla"), on: escalated.instance, at: F.epoch) }

        // Done in time: the task's timers are dropped with it.
        let inTime = try engine.handle(.complete(token: token, variables: [:]), on: started.instance, at: F.epoch)
        #expect(inTime.actions == [.disarm(token: token)])
        #expect(inTime.instance.status == .completed)
    }

    @Test("boundary events that cannot work are refused: on an activity that never waits, with an incoming flow, on nothing")
    func boundaryProblems() {
        for (body, fragment) in [
            ("<bpmn:scriptTask id=\"a\" scriptFormat=\"cel\"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>", "would never fire"),
            ("\(F.serviceTask("a"))\(F.flow("back", "s", "b"))", "cannot have incoming"),
        ] {
            let text = F.definitions("""
                <bpmn:startEvent id="s"/>
                \(body)
                <bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
                <bpmn:endEvent id="e"/>
                \(F.flow("f1", "s", "a"))
                \(F.flow("f2", "a", "e"))
                \(F.flow("f3", "b", "e"))
                """)
            do {
                _ = try BPMNReader.read(text)
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "b" && $0.message.contains(fragment) }, "\(error)")
            }
        }
        let orphan = F.definitions("""
            <bpmn:startEvent id="s"/>
            <bpmn:boundaryEvent id="b" attachedToRef="nothing"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
            """)
        #expect(throws: BPMNProblems.self) { try BPMNReader.read(orphan) }
    }

    @Test("a message catch subscribes with its correlation key and goes on when the message comes; a receive task does the same; a key that fails is an incident")
    func messages() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0" id="d" targetNamespace="urn:t">
              <bpmn:message id="m_docs" name="documents"><bpmn:extensionElements><rapport:subscription correlationKey="application_id"/></bpmn:extensionElements></bpmn:message>
              <bpmn:message id="m_contact" name="rapport.interaction.created"/>
              <bpmn:process id="p" isExecutable="true">
                <bpmn:startEvent id="s"/>
                <bpmn:intermediateCatchEvent id="wait_docs"><bpmn:messageEventDefinition messageRef="m_docs"/></bpmn:intermediateCatchEvent>
                <bpmn:receiveTask id="wait_contact" messageRef="m_contact"/>
                <bpmn:endEvent id="e"/>
                <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_docs"/>
                <bpmn:sequenceFlow id="f2" sourceRef="wait_docs" targetRef="wait_contact"/>
                <bpmn:sequenceFlow id="f3" sourceRef="wait_contact" targetRef="e"/>
              </bpmn:process>
            </bpmn:definitions>
            """
        let engine = FlowEngine(try #require(BPMNReader.read(text).process("p")))
        let started = engine.start(variables: ["application_id": "A-17"], at: F.epoch)
        let token = try Self.token(at: "wait_docs", engine, started.instance)
        #expect(started.actions == [.subscribe(token: token, node: "wait_docs", message: "documents", correlationKey: "A-17")])
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: token, variables: [:]), on: started.instance, at: F.epoch) }
        let docs = try engine.handle(.messageReceived(token: token, node: "wait_docs", variables: ["pages": 3]), on: started.instance, at: F.epoch)
        #expect(docs.instance.variables["pages"] == 3)
        #expect(docs.actions == [.subscribe(token: token, node: "wait_contact", message: "rapport.interaction.created", correlationKey: nil)])
        #expect(throws: FlowInputError.self) {
            try engine.handle(.messageReceived(token: token, node: "wait_docs", variables: [:]), on: docs.instance, at: F.epoch)
        }
        let contacted = try engine.handle(.messageReceived(token: token, node: "wait_contact", variables: [:]), on: docs.instance, at: F.epoch)
        #expect(contacted.instance.status == .completed)

        let keyless = engine.start(variables: [:], at: F.epoch)
        guard case .incident(let message) = keyless.instance.tokens.first?.state else {
            Issue.record("no incident: \(keyless.instance)")
            return
        }
        #expect(message.contains("application_id"))
    }

    @Test("a job that fails for good is an incident until retried, when the job is offered again; cancel withdraws it")
    func jobIncident() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            \(F.serviceTask("charge", type: "payments"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "charge"))
            \(F.flow("f2", "charge", "e"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        let token = try Self.token(at: "charge", engine, started.instance)
        let failed = try engine.handle(.fail(token: token, message: "card declined"), on: started.instance, at: F.epoch)
        #expect(failed.instance.tokens.first?.state == .incident("card declined"))
        #expect(failed.actions == [.raiseIncident(token: token, node: "charge", message: "card declined")])
        let retried = try engine.handle(.retry(token: token), on: failed.instance, at: F.epoch)
        #expect(retried.actions == [.activateJob(token: token, node: "charge", job: JobDefinition(type: "payments", retries: 3))])
        let cancelled = try engine.handle(.cancel, on: retried.instance, at: F.epoch)
        #expect(cancelled.instance.status == .cancelled)
        #expect(cancelled.actions == [.withdraw(token: token, node: "charge")])
    }

    @Test("a script line failing at run time is an incident naming the line; nothing it assigned is kept")
    func scriptIncident() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            \(F.script("calc", "doubled = amount * 2\nratio = doubled / missing"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "calc"))
            \(F.flow("f2", "calc", "e"))
            """))
        let started = engine.start(variables: ["amount": 4], at: F.epoch)
        guard case .incident(let message) = started.instance.tokens.first?.state else {
            Issue.record("no incident: \(started.instance)")
            return
        }
        #expect(message.contains("ratio = doubled / missing"))
        #expect(started.instance.variables["doubled"] == nil)
        let retried = try engine.handle(.retry(token: started.instance.tokens[0].id),
                                        on: try engine.handle(.setVariables(["missing": 2]), on: started.instance, at: F.epoch).instance, at: F.epoch)
        #expect(retried.instance.status == .completed)
        #expect(retried.instance.variables["ratio"] == 4)
    }
}
