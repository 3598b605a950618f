import RapportCore
import RapportFlow
import Testing

@Suite("Running processes: conditional events over the variables")
struct FlowConditionTests {
    typealias F = BPMNFixtures

    static func condition(_ cel: String) -> String {
        "<bpmn:conditionalEventDefinition><bpmn:condition>\(cel.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</bpmn:condition></bpmn:conditionalEventDefinition>"
    }

    static func waiting(_ engine: FlowEngine, _ instance: FlowInstance) -> [String] {
        instance.tokens.map { engine.process.nodes[$0.node].id }.sorted()
    }

    @Test("a conditional catch event passes at once when its condition holds, else waits until a change of the variables makes it hold")
    func catchEvent() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:intermediateCatchEvent id="paid">\(Self.condition("has(order.paid) && order.paid"))</bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="e"/>
            \(F.flow("f1", "s", "paid"))
            \(F.flow("f2", "paid", "e"))
            """))
        #expect(engine.start(variables: ["order": ["paid": true]], at: F.epoch).instance.status == .completed)
        let waiting = engine.start(variables: ["order": ["paid": false]], at: F.epoch)
        #expect(Self.waiting(engine, waiting.instance) == ["paid"])
        #expect(waiting.actions.isEmpty, "nothing to ask the world for")
        let still = try engine.handle(.setVariables(["note": "called"]), on: waiting.instance, at: F.epoch)
        #expect(Self.waiting(engine, still.instance) == ["paid"])
        let done = try engine.handle(.setVariables(["order": ["paid": true]]), on: still.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(engine.start(variables: [:], at: F.epoch).instance.tokens.count == 1, "a variable not set yet: the condition does not hold")
    }

    static let serviceWithBoundaries = """
        <bpmn:startEvent id="s"/>
        \(F.serviceTask("ship"))
        <bpmn:boundaryEvent id="cancelled" attachedToRef="ship">\(condition("cancelled == true"))</bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="priority" attachedToRef="ship" cancelActivity="false">\(condition("priority > 5"))</bpmn:boundaryEvent>
        \(F.script("tell", "told = true"))
        <bpmn:endEvent id="e"/>
        <bpmn:endEvent id="stopped"/>
        <bpmn:endEvent id="told_end"/>
        \(F.flow("f1", "s", "ship"))
        \(F.flow("f2", "ship", "e"))
        \(F.flow("f3", "cancelled", "stopped"))
        \(F.flow("f4", "priority", "tell"))
        \(F.flow("f5", "tell", "told_end"))
        """

    @Test("boundaries: a non-interrupting one fires each time its condition turns true (not while it stays true); an interrupting one withdraws the task")
    func boundaries() throws {
        let engine = FlowEngine(try F.process(Self.serviceWithBoundaries))
        var outcome = engine.start(variables: ["cancelled": false, "priority": 1], at: F.epoch)
        #expect(Self.waiting(engine, outcome.instance) == ["ship"])
        let ship = try #require(outcome.instance.tokens.first).id
        outcome = try engine.handle(.setVariables(["priority": 9]), on: outcome.instance, at: F.epoch)
        #expect(outcome.steps.filter { $0.kind == .completed && $0.node == "tell" }.count == 1, "fired once: \(outcome.steps)")
        #expect(Self.waiting(engine, outcome.instance) == ["ship"])
        outcome = try engine.handle(.setVariables(["priority": 8]), on: outcome.instance, at: F.epoch)
        #expect(!outcome.steps.contains { $0.node == "tell" }, "still true: not again")
        outcome = try engine.handle(.setVariables(["priority": 2]), on: outcome.instance, at: F.epoch)
        outcome = try engine.handle(.setVariables(["priority": 7]), on: outcome.instance, at: F.epoch)
        #expect(outcome.steps.contains { $0.kind == .completed && $0.node == "tell" }, "false, then true again: fires again")
        outcome = try engine.handle(.setVariables(["cancelled": true]), on: outcome.instance, at: F.epoch)
        #expect(outcome.instance.status == .completed)
        #expect(outcome.actions.contains(.withdraw(token: ship, node: "ship")), "the job is withdrawn")
        #expect(outcome.steps.contains { $0.kind == .completed && $0.node == "stopped" })
    }

    @Test("a completed job whose variables make a boundary condition hold completes the task: the task is done first")
    func completionWins() throws {
        let engine = FlowEngine(try F.process(Self.serviceWithBoundaries))
        let started = engine.start(variables: ["cancelled": false, "priority": 1], at: F.epoch)
        let done = try engine.handle(.complete(token: try #require(started.instance.tokens.first).id, variables: ["cancelled": true]),
                                     on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.steps.contains { $0.node == "e" } && !done.steps.contains { $0.node == "stopped" })
    }

    @Test("an event-based gateway races a conditional event against a timer")
    func eventGateway() throws {
        let engine = FlowEngine(try F.process("""
            <bpmn:startEvent id="s"/>
            <bpmn:eventBasedGateway id="g"/>
            <bpmn:intermediateCatchEvent id="approved">\(Self.condition("approved"))</bpmn:intermediateCatchEvent>
            <bpmn:intermediateCatchEvent id="late">\(F.timer("P1D"))</bpmn:intermediateCatchEvent>
            <bpmn:endEvent id="yes"/><bpmn:endEvent id="no"/>
            \(F.flow("f1", "s", "g"))\(F.flow("f2", "g", "approved"))\(F.flow("f3", "g", "late"))
            \(F.flow("f4", "approved", "yes"))\(F.flow("f5", "late", "no"))
            """))
        let started = engine.start(variables: ["approved": false], at: F.epoch)
        #expect(Self.waiting(engine, started.instance) == ["g"])
        let token = try #require(started.instance.tokens.first).id
        let done = try engine.handle(.setVariables(["approved": true]), on: started.instance, at: F.epoch)
        #expect(done.instance.status == .completed)
        #expect(done.actions.contains(.disarm(token: token)), "the timer goes")
        #expect(done.steps.contains { $0.node == "yes" })
    }

    @Test("a conditional event without a condition, or with one that is not CEL, is refused at deploy")
    func refused() throws {
        for (event, fragment) in [
            (#"<bpmn:intermediateCatchEvent id="a"><bpmn:conditionalEventDefinition/></bpmn:intermediateCatchEvent>"#, "needs a <condition>"),
            (#"<bpmn:intermediateCatchEvent id="a">\#(Self.condition("amount >"))</bpmn:intermediateCatchEvent>"#, "is not valid CEL"),
        ] {
            do {
                _ = try BPMNReader.read(F.definitions("<bpmn:startEvent id=\"s\"/>\(event)<bpmn:endEvent id=\"e\"/>\(F.flow("f1", "s", "a"))\(F.flow("f2", "a", "e"))"))
                Issue.record("accepted: \(event)")
            } catch {
                #expect(error.problems.contains { $0.elementID == "a" && $0.message.contains(fragment) }, "\(error)")
            }
        }
    }
}
