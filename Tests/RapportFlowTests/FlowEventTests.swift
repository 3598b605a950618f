import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: event-based gateways, signals, links and message boundary events")
struct FlowEventTests {
    typealias F = BPMNFixtures
    static let waiting = FlowEngineTests.waiting
    static let token = FlowEngineTests.token

    static let roots = """
        <bpmn:message id="m_reply" name="customer-reply"><bpmn:extensionElements><rapport:subscription correlationKey="ticket"/></bpmn:extensionElements></bpmn:message>
        <bpmn:message id="m_note" name="note-added"/>
        <bpmn:signal id="sig_storm" name="storm-warning"/>
        """

    /// An event-based gateway racing a customer's reply against a 2-day timer.
    static let race = """
        <bpmn:startEvent id="s"/>
        <bpmn:eventBasedGateway id="wait"/>
        <bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m_reply"/></bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="timeout">\(F.timer("P2D"))</bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="storm"><bpmn:signalEventDefinition signalRef="sig_storm"/></bpmn:intermediateCatchEvent>
        <bpmn:endEvent id="answered"/>
        <bpmn:endEvent id="closed"/>
        <bpmn:endEvent id="paused"/>
        \(F.flow("f1", "s", "wait"))
        \(F.flow("f2", "wait", "reply"))
        \(F.flow("f3", "wait", "timeout"))
        \(F.flow("f4", "wait", "storm"))
        \(F.flow("f5", "reply", "answered"))
        \(F.flow("f6", "timeout", "closed"))
        \(F.flow("f7", "storm", "paused"))
        """

    @Test("an event-based gateway arms every event after it; the first that happens wins and the others are withdrawn")
    func eventGatewayRace() throws {
        let engine = FlowEngine(try F.process(Self.race, roots: Self.roots))
        let started = engine.start(variables: ["ticket": "T-9"], at: F.epoch)
        let token = try Self.token("wait", engine, started.instance)
        #expect(started.actions == [
            .subscribe(token: token, node: "reply", message: "customer-reply", correlationKey: "T-9"),
            .scheduleTimer(token: token, node: "timeout", due: Timestamp(microseconds: F.epoch.microseconds + 2 * 86_400_000_000)),
            .subscribeSignal(token: token, node: "storm", signal: "storm-warning"),
        ])
        let timedOut = try engine.handle(.timerFired(token: token, node: "timeout"), on: started.instance, at: F.epoch)
        #expect(timedOut.instance.status == .completed)
        #expect(timedOut.actions == [.disarm(token: token)])
        #expect(timedOut.steps.map(\.node) == ["wait", "timeout", "timeout", "closed", "closed"])
        // The loser arrives late: refused, as the token moved on.
        #expect(throws: FlowInputError.self) {
            try engine.handle(.messageReceived(token: token, node: "reply", variables: [:]), on: timedOut.instance, at: F.epoch)
        }
        let replied = try engine.handle(.messageReceived(token: token, node: "reply", variables: ["text": "thanks"]), on: started.instance, at: F.epoch)
        #expect(replied.steps.last == FlowStep(.completed, node: "answered", token: token))
        #expect(replied.instance.variables["text"] == "thanks")
        let storm = try engine.handle(.signalReceived(token: token, node: "storm", variables: [:]), on: started.instance, at: F.epoch)
        #expect(storm.steps.last == FlowStep(.completed, node: "paused", token: token))
        // An input of the wrong kind for the event is refused.
        #expect(throws: FlowInputError.self) { try engine.handle(.timerFired(token: token, node: "reply"), on: started.instance, at: F.epoch) }
    }

    @Test("signals: a throw event broadcasts and goes on, a catch waits for the signal, a non-interrupting signal boundary fires each time")
    func signals() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateThrowEvent id="announce"><bpmn:signalEventDefinition signalRef="sig_storm"/></bpmn:intermediateThrowEvent>
            <bpmn:userTask id="visit"/>
            <bpmn:boundaryEvent id="storm" attachedToRef="visit" cancelActivity="false"><bpmn:signalEventDefinition signalRef="sig_storm"/></bpmn:boundaryEvent>
            \(F.script("count", "storms = storms + 1"))
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="counted"/>
            \(F.flow("f1", "s", "announce"))
            \(F.flow("f2", "announce", "visit"))
            \(F.flow("f3", "visit", "e"))
            \(F.flow("f4", "storm", "count"))
            \(F.flow("f5", "count", "counted"))
            """, roots: Self.roots))
        let started = engine.start(variables: ["storms": 0], at: F.epoch)
        let visit = try Self.token("visit", engine, started.instance)
        #expect(started.actions.first == .broadcastSignal("storm-warning"))
        #expect(started.actions.contains(.subscribeSignal(token: visit, node: "storm", signal: "storm-warning")))
        var outcome = started
        for _ in 0..<2 {
            outcome = try engine.handle(.signalReceived(token: visit, node: "storm", variables: [:]), on: outcome.instance, at: F.epoch)
            #expect(outcome.actions == [.subscribeSignal(token: visit, node: "storm", signal: "storm-warning")], "it waits for the next one")
        }
        #expect(outcome.instance.variables["storms"] == 2)
        #expect(Self.waiting(engine, outcome.instance) == ["visit"])
    }

    @Test("a message boundary event on a receive task and a user task: interrupting, the activity is withdrawn")
    func messageBoundary() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:userTask id="call_back"/>
            <bpmn:boundaryEvent id="replied" attachedToRef="call_back"><bpmn:messageEventDefinition messageRef="m_reply"/></bpmn:boundaryEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="by_reply"/>
            \(F.flow("f1", "s", "call_back"))
            \(F.flow("f2", "call_back", "e"))
            \(F.flow("f3", "replied", "by_reply"))
            """, roots: Self.roots))
        let started = engine.start(variables: ["ticket": "T-1"], at: F.epoch)
        let task = try Self.token("call_back", engine, started.instance)
        #expect(started.actions.contains(.subscribe(token: task, node: "replied", message: "customer-reply", correlationKey: "T-1")))
        let replied = try engine.handle(.messageReceived(token: task, node: "replied", variables: [:]), on: started.instance, at: F.epoch)
        #expect(replied.actions.first == .withdraw(token: task, node: "call_back"))
        #expect(replied.instance.status == .completed)
    }

    @Test("a link throw event goes on at the link catch event of its name, in the same scope")
    func links() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="page2"/></bpmn:intermediateThrowEvent>
            <bpmn:intermediateCatchEvent id="arrive"><bpmn:linkEventDefinition name="page2"/></bpmn:intermediateCatchEvent>
            \(F.script("mark", "linked = true"))
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "go"))
            \(F.flow("f2", "arrive", "mark"))
            \(F.flow("f3", "mark", "e"))
            """))
        let done = engine.start(variables: [:], at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.instance.variables["linked"] == true)
        #expect(done.steps.map(\.node) == ["s", "s", "go", "go", "arrive", "arrive", "mark", "mark", "e", "e"])
    }

    @Test("models that cannot work are refused: an event gateway before a task, a link with no catch, a subprocess without a none start, an error boundary that does not interrupt")
    func refusals() {
        let cases: [(String, String, String)] = [
            ("""
             <bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>\(F.serviceTask("a"))<bpmn:intermediateCatchEvent id="t">\(F.timer("PT1H"))</bpmn:intermediateCatchEvent>
             <bpmn:endEvent id="e"/>\(F.flow("f1", "s", "g"))\(F.flow("f2", "g", "a"))\(F.flow("f3", "g", "t"))\(F.flow("f4", "a", "e"))\(F.flow("f5", "t", "e"))
             """, "f2", "must lead to a timer, message, signal or conditional catch event"),
            ("""
             <bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="nowhere"/></bpmn:intermediateThrowEvent>\(F.flow("f1", "s", "go"))
             """, "go", "no link catch event named nowhere"),
            ("""
             <bpmn:startEvent id="s"/><bpmn:subProcess id="sub">\(F.serviceTask("a"))</bpmn:subProcess><bpmn:endEvent id="e"/>
             \(F.flow("f1", "s", "sub"))\(F.flow("f2", "sub", "e"))
             """, "sub", "exactly one none start event"),
            ("""
             <bpmn:startEvent id="s"/>\(F.serviceTask("a"))<bpmn:boundaryEvent id="b" attachedToRef="a" cancelActivity="false"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>
             <bpmn:endEvent id="e"/>\(F.flow("f1", "s", "a"))\(F.flow("f2", "a", "e"))\(F.flow("f3", "b", "e"))
             """, "b", "always interrupts"),
            ("""
             <bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="in"/>\(F.serviceTask("a"))\(F.flow("in1", "in", "a"))
             \(F.flow("out", "a", "e"))</bpmn:subProcess><bpmn:endEvent id="e"/>\(F.flow("f1", "s", "sub"))\(F.flow("f2", "sub", "e"))
             """, "out", "targetRef e is not a flow node of the subprocess sub"),
        ]
        for (body, element, fragment) in cases {
            do {
                _ = try BPMNReader.read(F.definitions(body, roots: Self.roots))
                Issue.record("accepted a model that cannot work (\(fragment))")
            } catch {
                #expect(error.problems.contains { $0.elementID == element && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }

    @Test("a state with tokens inside subprocesses is kept and read back the same")
    func storedScopes() throws {
        let engine = FlowEngine(try F.process(FlowScopeTests.parallelSubprocess))
        let started = engine.start(variables: ["n": 1], at: F.epoch)
        #expect(started.instance.tokens.contains { $0.scope != nil })
        let read = FlowInstance(stored: started.instance.storedJSON, status: .running, nodeCount: engine.process.nodes.count,
                                flowCount: engine.process.flows.count)
        #expect(read == started.instance)
    }
}

extension FlowEventTests {
    @Test("timer cycles: R3/PT1H, R/P1D, with a start; anything else refused")
    func cycles() throws {
        let hourly = try #require(TimerCycle("R3/PT1H"))
        #expect(hourly.repetitions == 3)
        #expect(hourly.first(after: F.epoch) == Timestamp(microseconds: F.epoch.microseconds + 3_600_000_000))
        #expect(TimerCycle("R/P1D")?.repetitions == nil)
        let weekly = try #require(TimerCycle("R/2027-01-04T09:00:00Z/P7D"))
        let start = try #require(Timestamp(rfc3339: "2027-01-04T09:00:00Z"))
        #expect(weekly.first(after: Timestamp(microseconds: start.microseconds - 1)) == start)
        // Missed times are skipped: the next one is after now.
        let now = Timestamp(microseconds: start.microseconds + 15 * 86_400_000_000)
        #expect(weekly.next(after: start, now: now) == Timestamp(microseconds: start.microseconds + 21 * 86_400_000_000))
        for bad in ["PT1H", "R0/PT1H", "R3/PT0S", "R2/yesterday/PT1H", "0 0 9 * * MON"] { #expect(TimerCycle(bad) == nil, "\(bad)") }
    }

    @Test("a non-interrupting boundary timer with a cycle fires as many times as it repeats while the task waits; a catch event may not repeat")
    func repeatingBoundary() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:userTask id="call_back"/>
            <bpmn:boundaryEvent id="nudge" attachedToRef="call_back" cancelActivity="false">
              <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
            </bpmn:boundaryEvent>
            <bpmn:endEvent id="e"/>
            <bpmn:endEvent id="nudged"/>
            \(F.flow("f1", "s", "call_back"))
            \(F.flow("f2", "call_back", "e"))
            \(F.flow("f3", "nudge", "nudged"))
            """))
        let started = engine.start(variables: [:], at: F.epoch)
        let task = try Self.token("call_back", engine, started.instance)
        let later = Timestamp(microseconds: F.epoch.microseconds + 3_600_000_000)
        let first = try engine.handle(.timerFired(token: task, node: "nudge"), on: started.instance, at: later)
        #expect(first.actions == [.scheduleTimer(token: task, node: "nudge", due: Timestamp(microseconds: later.microseconds + 3_600_000_000))])
        let second = try engine.handle(.timerFired(token: task, node: "nudge"), on: first.instance, at: later)
        #expect(second.actions.isEmpty, "twice is all it repeats")
        #expect(second.steps.filter { $0.node == "nudged" && $0.kind == .completed }.count == 1)

        do {
            _ = try BPMNReader.read(F.definitions("""
                <bpmn:startEvent id="s"/>
                <bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
                <bpmn:endEvent id="e"/>\(F.flow("f1", "s", "w"))\(F.flow("f2", "w", "e"))
                """))
            Issue.record("a repeating catch event was accepted")
        } catch {
            #expect(error.problems.contains { $0.elementID == "w" && $0.message.contains("only a timer start event or a non-interrupting boundary event repeats") })
        }
    }
}
