import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: embedded subprocesses, errors and escalations")
struct FlowScopeTests {
    typealias F = BPMNFixtures
    static let waiting = FlowEngineTests.waiting
    static let token = FlowEngineTests.token

    /// A subprocess with two parallel branches (a job and a user task), an interrupting SLA timer on
    /// it and a non-interrupting reminder.
    static let parallelSubprocess = """
        <bpmn:startEvent id="s"/>
        <bpmn:subProcess id="handle">
          <bpmn:startEvent id="in_s"/>
          <bpmn:parallelGateway id="fork"/>
          \(F.serviceTask("check", type: "check"))
          <bpmn:userTask id="review"/>
          <bpmn:parallelGateway id="join"/>
          <bpmn:endEvent id="in_e"/>
          \(F.flow("i1", "in_s", "fork"))
          \(F.flow("i2", "fork", "check"))
          \(F.flow("i3", "fork", "review"))
          \(F.flow("i4", "check", "join"))
          \(F.flow("i5", "review", "join"))
          \(F.flow("i6", "join", "in_e"))
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="sla" attachedToRef="handle">\(F.timer("PT4H"))</bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="remind" attachedToRef="handle" cancelActivity="false">\(F.timer("PT1H"))</bpmn:boundaryEvent>
        \(F.serviceTask("escalate", type: "escalate"))
        \(F.script("note", "reminded = true"))
        <bpmn:endEvent id="done"/>
        <bpmn:endEvent id="escalated"/>
        <bpmn:endEvent id="noted"/>
        \(F.flow("f1", "s", "handle"))
        \(F.flow("f2", "handle", "done"))
        \(F.flow("f3", "sla", "escalate"))
        \(F.flow("f4", "escalate", "escalated"))
        \(F.flow("f5", "remind", "note"))
        \(F.flow("f6", "note", "noted"))
        """

    @Test("a subprocess runs its inner flow in its own scope and goes on when its last inner token ends")
    func subprocessCompletes() throws {
        let engine = FlowEngine(try F.process(Self.parallelSubprocess))
        let started = engine.start(variables: [:], at: F.epoch)
        #expect(Self.waiting(engine, started.instance) == ["check", "handle", "review"])
        let holder = try Self.token("handle", engine, started.instance)
        #expect(started.instance.tokens.filter { $0.scope == holder }.count == 2)
        #expect(started.actions.contains(.scheduleTimer(token: holder, node: "sla", due: Timestamp(microseconds: F.epoch.microseconds + 4 * 3_600_000_000))))
        let check = try Self.token("check", engine, started.instance), review = try Self.token("review", engine, started.instance)
        let one = try engine.handle(.complete(token: check, variables: ["score": 7]), on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, one.instance) == ["handle", "join", "review"])
        let both = try engine.handle(.complete(token: review, variables: [:]), on: one.instance, at: F.epoch)
        #expect(both.instance.status == .completed)
        #expect(both.actions == [.disarm(token: holder)], "the subprocess's boundary timers go when it completes")
        #expect(both.steps.map(\.node).suffix(3) == ["handle", "done", "done"])
    }

    @Test("an interrupting boundary timer on a subprocess with parallel branches withdraws every inner token, their job and task, and escalates")
    func interruptingBoundaryOnSubprocess() throws {
        let engine = FlowEngine(try F.process(Self.parallelSubprocess))
        let started = engine.start(variables: [:], at: F.epoch)
        let holder = try Self.token("handle", engine, started.instance)
        let check = try Self.token("check", engine, started.instance), review = try Self.token("review", engine, started.instance)
        let reminded = try engine.handle(.timerFired(token: holder, node: "remind"), on: started.instance, at: F.epoch)
        #expect(reminded.instance.variables["reminded"] == true)
        #expect(Self.waiting(engine, reminded.instance) == ["check", "handle", "review"], "a non-interrupting timer leaves the subprocess running")
        let escalated = try engine.handle(.timerFired(token: holder, node: "sla"), on: reminded.instance, at: F.epoch)
        #expect(Self.waiting(engine, escalated.instance) == ["escalate"])
        let withdrawn = escalated.actions.compactMap { action -> Int? in if case .withdraw(let token, _) = action { token } else { nil } }
        #expect(Set(withdrawn) == [check, review, holder])
        #expect(throws: FlowInputError.self) { try engine.handle(.complete(token: check, variables: [:]), on: escalated.instance, at: F.epoch) }
    }

    @Test("a terminate end event inside a subprocess ends only the subprocess, which goes on; at the top it ends the instance")
    func terminateInsideSubprocess() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:subProcess id="sub">
              <bpmn:startEvent id="in_s"/>
              <bpmn:parallelGateway id="fork"/>
              \(F.serviceTask("slow"))
              <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>
              \(F.flow("i1", "in_s", "fork"))
              \(F.flow("i2", "fork", "slow"))
              \(F.flow("i3", "fork", "stop"))
            </bpmn:subProcess>
            \(F.serviceTask("after"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "sub"))
            \(F.flow("f2", "sub", "after"))
            \(F.flow("f3", "after", "e"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        #expect(started.instance.status == .running)
        #expect(Self.waiting(engine, started.instance) == ["after"])
        #expect(started.steps.contains { $0.kind == .withdrawn && $0.node == "slow" })
        #expect(started.actions.contains { if case .withdraw(_, "slow") = $0 { true } else { false } })
    }

    static let errors = """
        <bpmn:error id="err_credit" name="Credit refused" errorCode="CREDIT_REFUSED"/>
        <bpmn:error id="err_fraud" name="Fraud" errorCode="FRAUD"/>
        <bpmn:escalation id="esc_vip" name="VIP" escalationCode="VIP"/>
        """

    @Test("an error end event inside a subprocess is caught by the error boundary for its code, interrupting the subprocess")
    func errorEndCaught() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:subProcess id="assess">
              <bpmn:startEvent id="in_s"/>
              <bpmn:parallelGateway id="fork"/>
              \(F.serviceTask("score"))
              <bpmn:exclusiveGateway id="ok" default="fine"/>
              <bpmn:endEvent id="refuse"><bpmn:errorEventDefinition errorRef="err_credit"/></bpmn:endEvent>
              <bpmn:endEvent id="in_e"/>
              \(F.flow("i1", "in_s", "fork"))
              \(F.flow("i2", "fork", "score"))
              \(F.flow("i3", "fork", "ok"))
              \(F.flow("i4", "ok", "refuse", condition: "amount > 1000"))
              <bpmn:sequenceFlow id="fine" sourceRef="ok" targetRef="in_e"/>
              \(F.flow("i5", "score", "in_e"))
            </bpmn:subProcess>
            <bpmn:boundaryEvent id="any" attachedToRef="assess"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>
            <bpmn:boundaryEvent id="credit" attachedToRef="assess"><bpmn:errorEventDefinition errorRef="err_credit"/></bpmn:boundaryEvent>
            <bpmn:endEvent id="approved"/>
            <bpmn:endEvent id="refused"/>
            <bpmn:endEvent id="other"/>
            \(F.flow("f1", "s", "assess"))
            \(F.flow("f2", "assess", "approved"))
            \(F.flow("f3", "credit", "refused"))
            \(F.flow("f4", "any", "other"))
            """, roots: Self.errors))
        let refused = engine.start(variables: ["amount": 5_000], at: F.epoch)
        #expect(refused.instance.status == .completed)
        #expect(refused.steps.last == FlowStep(.completed, node: "refused", token: refused.instance.nextTokenID - 1),
                "the boundary naming the code wins over the catch-all")
        #expect(refused.steps.contains { $0.kind == .withdrawn && $0.node == "score" })

        let approved = engine.start(variables: ["amount": 10], at: F.epoch)
        #expect(Self.waiting(engine, approved.instance) == ["assess", "score"])
    }

    @Test("a job's business error is caught by the error boundary of its task; an uncaught one is an incident")
    func jobErrors() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            \(F.serviceTask("reserve", type: "stock"))
            <bpmn:boundaryEvent id="no_stock" attachedToRef="reserve"><bpmn:errorEventDefinition errorRef="err_credit"/></bpmn:boundaryEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="backorder"/>
            \(F.flow("f1", "s", "reserve"))
            \(F.flow("f2", "reserve", "e"))
            \(F.flow("f3", "no_stock", "backorder"))
            """, roots: Self.errors))
        let started = engine.start(variables: [:], at: F.epoch)
        let job = try Self.token("reserve", engine, started.instance)
        let caught = try engine.handle(.throwError(token: job, code: "CREDIT_REFUSED", message: "limit", variables: ["limit": 100]),
                                       on: started.instance, at: F.epoch)
        #expect(caught.instance.status == .completed)
        #expect(caught.instance.variables["limit"] == 100)
        #expect(caught.steps.map(\.node) == ["reserve", "no_stock", "no_stock", "backorder", "backorder"])

        let uncaught = try engine.handle(.throwError(token: job, code: "FRAUD", message: "card stolen", variables: [:]), on: started.instance, at: F.epoch)
        guard case .incident(let message) = uncaught.instance.tokens.first?.state else {
            Issue.record("no incident: \(uncaught.instance)")
            return
        }
        #expect(message.contains("FRAUD") && message.contains("card stolen"))
    }

    @Test("in an instance a call activity started, an error nothing catches ends it and goes to the caller; kept in its stored state")
    func errorsGoToTheCaller() throws {
        let process = try F.process("""
            <bpmn:startEvent id="s"/>
            \(F.serviceTask("query", type: "bureau"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "query"))
            \(F.flow("f2", "query", "e"))
            """, roots: Self.errors)
        let engine = FlowEngine(process)
        let called = engine.start(variables: [:], at: F.epoch, called: true)
        #expect(called.instance.called)
        let stored = try #require(FlowInstance(stored: called.instance.storedJSON, status: .running, nodeCount: process.nodes.count, flowCount: process.flows.count))
        #expect(stored == called.instance)
        let job = try Self.token("query", engine, called.instance)
        let thrown = try engine.handle(.throwError(token: job, code: "NO_RECORD", message: "no file", variables: [:]), on: stored, at: F.epoch)
        #expect(thrown.instance.status == .terminated)
        #expect(thrown.instance.tokens.isEmpty)
        #expect(thrown.actions.contains(.throwToCaller(code: "NO_RECORD", message: "no file")))
        #expect(thrown.actions.contains(.withdraw(token: job, node: "query")))
        #expect(!thrown.actions.contains { if case .raiseIncident = $0 { true } else { false } })

        // Started on its own, the same error is an incident.
        let alone = engine.start(variables: [:], at: F.epoch)
        let incident = try engine.handle(.throwError(token: job, code: "NO_RECORD", message: nil, variables: [:]), on: alone.instance, at: F.epoch)
        #expect(incident.instance.status == .running)
        #expect(!incident.actions.contains(.throwToCaller(code: "NO_RECORD", message: nil)))
    }

    @Test("an escalation nothing in a called instance catches is raised at its call activity: the called instance goes on; the call activity's boundary catches it, interrupting or not")
    func escalationsGoToTheCaller() throws {
        let called = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateThrowEvent id="vip"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:intermediateThrowEvent>
            \(F.serviceTask("serve", type: "serve"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "vip"))
            \(F.flow("f2", "vip", "serve"))
            \(F.flow("f3", "serve", "e"))
            """, roots: Self.errors))
        let child = called.start(variables: [:], at: F.epoch, called: true)
        #expect(child.actions.contains(.escalateToCaller(code: "VIP")))
        #expect(Self.waiting(called, child.instance) == ["serve"], "the called instance goes on")
        #expect(!called.start(variables: [:], at: F.epoch).actions.contains(.escalateToCaller(code: "VIP")), "started on its own, nobody hears of it")

        for interrupting in [false, true] {
            let caller = FlowEngine(try F.process("""
                <bpmn:startEvent id="s"/>
                <bpmn:callActivity id="serve_customer" calledElement="service"/>
                <bpmn:boundaryEvent id="tell" attachedToRef="serve_customer" cancelActivity="\(interrupting)"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:boundaryEvent>
                \(F.serviceTask("tell_manager", type: "tell"))
                <bpmn:endEvent id="e"/>
                <bpmn:endEvent id="told"/>
                \(F.flow("f1", "s", "serve_customer"))
                \(F.flow("f2", "serve_customer", "e"))
                \(F.flow("f3", "tell", "tell_manager"))
                \(F.flow("f4", "tell_manager", "told"))
                """, roots: Self.errors))
            let started = caller.start(variables: [:], at: F.epoch)
            let call = try Self.token("serve_customer", caller, started.instance)
            let raised = try caller.handle(.escalation(token: call, code: "VIP"), on: started.instance, at: F.epoch)
            #expect(Self.waiting(caller, raised.instance) == (interrupting ? ["tell_manager"] : ["serve_customer", "tell_manager"]), "\(interrupting)")
            #expect(raised.actions.contains(.withdraw(token: call, node: "serve_customer")) == interrupting)
            // Only a call activity waits for its called instance's escalations.
            #expect(throws: FlowInputError.self) { try caller.handle(.escalation(token: 999, code: "VIP"), on: started.instance, at: F.epoch) }
        }
    }

    @Test("an escalation inside a subprocess: a non-interrupting boundary tells someone and the subprocess goes on; an interrupting one ends it")
    func escalations() throws {
        for interrupting in [false, true] {
            let engine = FlowEngine(try F.process("""
                <bpmn:startEvent id="s"/>
                <bpmn:subProcess id="serve">
                  <bpmn:startEvent id="in_s"/>
                  <bpmn:intermediateThrowEvent id="vip"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:intermediateThrowEvent>
                  \(F.serviceTask("work"))
                  <bpmn:endEvent id="in_e"/>
                  \(F.flow("i1", "in_s", "vip"))
                  \(F.flow("i2", "vip", "work"))
                  \(F.flow("i3", "work", "in_e"))
                </bpmn:subProcess>
                <bpmn:boundaryEvent id="tell" attachedToRef="serve" cancelActivity="\(interrupting)"><bpmn:escalationEventDefinition escalationRef="esc_vip"/></bpmn:boundaryEvent>
                \(F.serviceTask("notify_manager", type: "notify"))
                <bpmn:endEvent id="e"/>
                <bpmn:endEvent id="told"/>
                \(F.flow("f1", "s", "serve"))
                \(F.flow("f2", "serve", "e"))
                \(F.flow("f3", "tell", "notify_manager"))
                \(F.flow("f4", "notify_manager", "told"))
                """, roots: Self.errors))
            let started = engine.start(variables: [:], at: F.epoch)
            #expect(Self.waiting(engine, started.instance) == (interrupting ? ["notify_manager"] : ["notify_manager", "serve", "work"]))
        }
    }
}

extension FlowScopeTests {
    @Test("a call activity asks for the called process with its inputs mapped, and takes back its outputs when that ends")
    func callActivity() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:callActivity id="kyc" calledElement="identity_check">
              <bpmn:extensionElements><rapport:ioMapping>
                <rapport:input source="applicant.name" target="name"/>
                <rapport:input source="amount * 2" target="limit"/>
                <rapport:output source="verified" target="kyc_passed"/>
              </rapport:ioMapping></bpmn:extensionElements>
            </bpmn:callActivity>
            <bpmn:boundaryEvent id="slow" attachedToRef="kyc">\(F.timer("P1D"))</bpmn:boundaryEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="late"/>
            \(F.flow("f1", "s", "kyc"))
            \(F.flow("f2", "kyc", "e"))
            \(F.flow("f3", "slow", "late"))
            """))
        let started = engine.start(variables: ["applicant": ["name": "Noor"], "amount": 500], at: F.epoch)
        let token = try Self.token("kyc", engine, started.instance)
        #expect(started.actions.first == .callProcess(token: token, node: "kyc", process: "identity_check", variables: ["name": "Noor", "limit": 1_000]))
        let back = try engine.handle(.calledProcessEnded(token: token, variables: ["verified": true, "internal": 1]), on: started.instance, at: F.epoch)
        #expect(back.instance.status == .completed)
        #expect(back.instance.variables["kyc_passed"] == true)
        #expect(back.instance.variables["internal"] == nil, "only the outputs come back")
        let late = try engine.handle(.timerFired(token: token, node: "slow"), on: started.instance, at: F.epoch)
        #expect(late.actions.first == .withdraw(token: token, node: "kyc"), "the store cancels the called instance")
    }
}

extension FlowScopeTests {
    @Test("a service task naming one of Rapport's actions asks for it with its inputs evaluated; unknown actions and missing inputs are refused at deploy")
    func builtInActions() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:serviceTask id="tell_sales">
              <bpmn:extensionElements>
                <rapport:taskDefinition type="rapport.handoff" resultVariable="handoff_id"/>
                <rapport:ioMapping>
                  <rapport:input source="'Complaint ' + case_id + ' escalated'" target="reason"/>
                  <rapport:input source="'feedback'" target="kind"/>
                </rapport:ioMapping>
              </bpmn:extensionElements>
            </bpmn:serviceTask>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "tell_sales"))
            \(F.flow("f2", "tell_sales", "e"))
            """))
        let started = engine.start(variables: ["case_id": "C-9"], at: F.epoch)
        let token = try Self.token("tell_sales", engine, started.instance)
        #expect(started.actions == [.perform(token: token, node: "tell_sales", action: .handoff,
                                             inputs: ["reason": "Complaint C-9 escalated", "kind": "feedback"], resultVariable: "handoff_id")])
        let done = try engine.handle(.complete(token: token, variables: ["handoff_id": "hof_1"]), on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)

        for (definition, fragment) in [
            (#"<rapport:taskDefinition type="rapport.sms"/>"#, "is not one of Rapport's actions"),
            (#"<rapport:taskDefinition type="rapport.note"/>"#, "needs the input body"),
            (#"<rapport:taskDefinition type="rapport.note"/><rapport:ioMapping><rapport:input source="'x'" target="body"/><rapport:input source="1" target="colour"/></rapport:ioMapping>"#,
             "takes no input colour"),
        ] {
            do {
                _ = try BPMNReader.read(F.definitions("""
                    <bpmn:startEvent id="s"/><bpmn:serviceTask id="a"><bpmn:extensionElements>\(definition)</bpmn:extensionElements></bpmn:serviceTask>
                    <bpmn:endEvent id="e"/>\(F.flow("f1", "s", "a"))\(F.flow("f2", "a", "e"))
                    """))
                Issue.record("accepted: \(definition)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "a" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}

extension FlowScopeTests {
    @Test("migration moves tokens by node id, keeps a joining token's flow, and refuses a node that is gone or changed kind")
    func migration() throws {
        let old = try F.process("""
            <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>\(F.serviceTask("a"))\(F.serviceTask("b"))<bpmn:parallelGateway id="join"/>
            <bpmn:endEvent id="e"/>\(F.flow("f1", "s", "fork"))\(F.flow("f2", "fork", "a"))\(F.flow("f3", "fork", "b"))
            \(F.flow("f4", "a", "join"))\(F.flow("f5", "b", "join"))\(F.flow("f6", "join", "e"))
            """)
        // The same graph written in another order, with a step added after the join.
        let new = try F.process("""
            <bpmn:startEvent id="s"/>\(F.script("after", "done = true"))\(F.serviceTask("b"))\(F.serviceTask("a"))<bpmn:parallelGateway id="fork"/>
            <bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>\(F.flow("f6", "join", "after"))\(F.flow("f7", "after", "e"))
            \(F.flow("f1", "s", "fork"))\(F.flow("f2", "fork", "a"))\(F.flow("f3", "fork", "b"))\(F.flow("f4", "a", "join"))\(F.flow("f5", "b", "join"))
            """)
        let engine = FlowEngine(old)
        let started = engine.start(variables: [:], at: F.epoch)
        let halfway = try engine.handle(.complete(token: try Self.token("a", engine, started.instance), variables: [:]), on: started.instance, at: F.epoch)
        let moved = try FlowMigration.migrate(halfway.instance, from: old, to: new)
        let next = FlowEngine(new)
        #expect(Self.waiting(next, moved) == ["b", "join"])
        let done = try next.handle(.complete(token: try Self.token("b", next, moved), variables: [:]), on: moved, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables["done"] == true)

        let changed = try F.process("""
            <bpmn:startEvent id="s"/><bpmn:userTask id="a"/><bpmn:endEvent id="e"/>\(F.flow("f1", "s", "a"))\(F.flow("f2", "a", "e"))
            """)
        #expect(throws: FlowInputError.self) { try FlowMigration.migrate(started.instance, from: old, to: changed) }
    }
}
