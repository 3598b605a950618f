import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: event subprocesses")
struct FlowEventSubprocessTests {
    typealias F = BPMNFixtures
    static let waiting = FlowEngineTests.waiting
    static let token = FlowEngineTests.token

    static let roots = """
        <bpmn:message id="m_cancel" name="cancel-order"><bpmn:extensionElements><rapport:subscription correlationKey="order"/></bpmn:extensionElements></bpmn:message>
        <bpmn:error id="e_pay" name="Payment" errorCode="PAYMENT_FAILED"/>
        <bpmn:escalation id="x_vip" name="VIP" escalationCode="VIP"/>
        """

    /// An order: ship (a job) then bill (a job); a cancel message anywhere interrupts it and
    /// refunds; a payment error anywhere is handled by a collections job.
    static let order = """
        <bpmn:startEvent id="s"/>
        \(F.serviceTask("ship", type: "ship"))
        \(F.serviceTask("bill", type: "bill"))
        <bpmn:endEvent id="e"/>
        \(F.flow("f1", "s", "ship"))
        \(F.flow("f2", "ship", "bill"))
        \(F.flow("f3", "bill", "e"))
        <bpmn:subProcess id="on_cancel" triggeredByEvent="true">
          <bpmn:startEvent id="cancelled"><bpmn:messageEventDefinition messageRef="m_cancel"/></bpmn:startEvent>
          \(F.serviceTask("refund", type: "refund"))
          <bpmn:endEvent id="refunded"/>
          \(F.flow("c1", "cancelled", "refund"))
          \(F.flow("c2", "refund", "refunded"))
        </bpmn:subProcess>
        <bpmn:subProcess id="on_payment_error" triggeredByEvent="true">
          <bpmn:startEvent id="payment_failed"><bpmn:errorEventDefinition errorRef="e_pay"/></bpmn:startEvent>
          \(F.serviceTask("collect", type: "collect"))
          <bpmn:endEvent id="collected"/>
          \(F.flow("p1", "payment_failed", "collect"))
          \(F.flow("p2", "collect", "collected"))
        </bpmn:subProcess>
        """

    @Test("an interrupting message event subprocess of the process: armed for the process's scope, it withdraws the work and runs instead")
    func interruptingMessage() throws {
        let engine = FlowEngine(try F.process(Self.order, roots: Self.roots))
        let started = engine.start(variables: ["order": "SO-7"], at: F.epoch)
        #expect(started.actions.contains(.subscribe(token: 0, node: "cancelled", message: "cancel-order", correlationKey: "SO-7")))
        let ship = try Self.token("ship", engine, started.instance)
        let cancelled = try engine.handle(.messageReceived(token: 0, node: "cancelled", variables: ["reason": "changed mind"]),
                                          on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, cancelled.instance) == ["on_cancel", "refund"])
        #expect(cancelled.actions.contains(.withdraw(token: ship, node: "ship")))
        #expect(cancelled.instance.variables["reason"] == "changed mind")
        let refund = try Self.token("refund", engine, cancelled.instance)
        let done = try engine.handle(.complete(token: refund, variables: [:]), on: cancelled.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.steps.contains(FlowStep(.completed, node: "refunded", token: refund)))
        // A message for a subprocess that no longer waits (or a wrong token) is refused.
        #expect(throws: FlowInputError.self) {
            try engine.handle(.messageReceived(token: 5, node: "cancelled", variables: [:]), on: started.instance, at: F.epoch)
        }
    }

    @Test("an error event subprocess catches a job's error anywhere in its scope")
    func errorEventSubprocess() throws {
        let engine = FlowEngine(try F.process(Self.order, roots: Self.roots))
        let started = engine.start(variables: ["order": "SO-8"], at: F.epoch)
        let shipped = try engine.handle(.complete(token: try Self.token("ship", engine, started.instance), variables: [:]), on: started.instance, at: F.epoch)
        let bill = try Self.token("bill", engine, shipped.instance)
        let failed = try engine.handle(.throwError(token: bill, code: "PAYMENT_FAILED", message: nil, variables: [:]), on: shipped.instance, at: F.epoch)
        #expect(Self.waiting(engine, failed.instance) == ["collect", "on_payment_error"])
        #expect(failed.actions.contains(.withdraw(token: bill, node: "bill")))
        #expect(failed.actions.contains(.disarmEvents(token: 0, nodes: ["cancelled"])), "an interrupting one ends the scope's other event subprocesses")
    }

    @Test("a non-interrupting timer event subprocess in an embedded subprocess runs beside its work; the subprocess ends when both are done")
    func nonInterruptingInSubprocess() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:subProcess id="case">
              <bpmn:startEvent id="cs"/>
              <bpmn:userTask id="resolve"/>
              <bpmn:endEvent id="ce"/>
              \(F.flow("c1", "cs", "resolve"))
              \(F.flow("c2", "resolve", "ce"))
              <bpmn:subProcess id="reminder" triggeredByEvent="true">
                <bpmn:startEvent id="after_day" isInterrupting="false">\(F.timer("P1D"))</bpmn:startEvent>
                \(F.serviceTask("remind", type: "remind"))
                <bpmn:endEvent id="reminded"/>
                \(F.flow("r1", "after_day", "remind"))
                \(F.flow("r2", "remind", "reminded"))
              </bpmn:subProcess>
              <bpmn:subProcess id="vip" triggeredByEvent="true">
                <bpmn:startEvent id="vip_raised" isInterrupting="false"><bpmn:escalationEventDefinition escalationRef="x_vip"/></bpmn:startEvent>
                <bpmn:endEvent id="vip_noted"/>
                \(F.flow("v1", "vip_raised", "vip_noted"))
              </bpmn:subProcess>
            </bpmn:subProcess>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "case"))
            \(F.flow("f2", "case", "e"))
            """, roots: Self.roots))
        let started = engine.start(variables: [:], at: F.epoch)
        let holder = try Self.token("case", engine, started.instance)
        #expect(started.actions.contains(.scheduleTimer(token: holder, node: "after_day", due: Timestamp(microseconds: F.epoch.microseconds + 86_400_000_000))))
        let reminding = try engine.handle(.timerFired(token: holder, node: "after_day"), on: started.instance, at: F.epoch)
        #expect(Self.waiting(engine, reminding.instance) == ["case", "remind", "reminder", "resolve"])
        let resolved = try engine.handle(.complete(token: try Self.token("resolve", engine, reminding.instance), variables: [:]),
                                         on: reminding.instance, at: F.epoch)
        #expect(resolved.instance.status == .running, "the reminder still runs inside the subprocess")
        let done = try engine.handle(.complete(token: try Self.token("remind", engine, resolved.instance), variables: [:]), on: resolved.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.actions.contains(.disarm(token: holder)), "what the subprocess's scope armed goes with it")
    }

    @Test("event subprocesses that cannot work are refused: no event on the start, an error start that does not interrupt, on a flow")
    func refusals() {
        for (start, fragment) in [
            (#"<bpmn:startEvent id="st"/>"#, "needs an event definition"),
            (#"<bpmn:startEvent id="st" isInterrupting="false"><bpmn:errorEventDefinition/></bpmn:startEvent>"#, "always interrupts"),
        ] {
            let text = F.definitions("""
                <bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>\(F.flow("f1", "s", "e"))
                <bpmn:subProcess id="es" triggeredByEvent="true">\(start)<bpmn:endEvent id="ee"/>\(F.flow("x1", "st", "ee"))</bpmn:subProcess>
                """, roots: Self.roots)
            do {
                _ = try BPMNReader.read(text)
                Issue.record("accepted: \(start)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "st" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}
