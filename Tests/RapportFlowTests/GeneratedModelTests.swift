import RapportCore
import RapportFlow
import Testing

/// Well-formed models generated at random (blocks of tasks, timers, exclusive, parallel and
/// inclusive splits with their joins, subprocesses with boundary timers, event-based gateways
/// racing timers, multi-instance tasks, nested), written as BPMN and read back, then run with the
/// waiting work done in random order: every instance must end, and never stall with a token left.
@Suite("Generated models")
struct GeneratedModelTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Writes a model block by block; each block has one entry node and one exit node.
    struct Generator {
        var random: SplitMix
        var elements: [String] = []
        var count = 0
        /// Variables the conditions read, with the values an instance may be started with.
        var choices: [(name: String, range: Int)] = []

        mutating func id(_ prefix: String) -> String {
            count += 1
            return "\(prefix)\(count)"
        }

        mutating func connect(_ source: String, _ target: String, condition: String? = nil) {
            elements.append(BPMNFixtures.flow(id("f"), source, target, condition: condition))
        }

        mutating func block(depth: Int) -> (entry: String, exit: String) {
            let choice = depth >= 3 ? 0 : Int.random(in: 0..<8, using: &random)
            switch choice {
            case 0, 1:
                return task()
            case 2:
                let first = block(depth: depth + 1), second = block(depth: depth + 1)
                connect(first.exit, second.entry)
                return (first.entry, second.exit)
            case 3:
                let branches = Int.random(in: 2...3, using: &random)
                let split = id("xs"), join = id("xj"), variable = id("pick")
                choices.append((variable, branches))
                elements.append(#"<bpmn:exclusiveGateway id="\#(split)" default="\#(split)_default"/>"#)
                elements.append(#"<bpmn:exclusiveGateway id="\#(join)"/>"#)
                for branch in 0..<branches {
                    let inner = block(depth: depth + 1)
                    if branch == 0 {
                        elements.append(#"<bpmn:sequenceFlow id="\#(split)_default" sourceRef="\#(split)" targetRef="\#(inner.entry)"/>"#)
                    } else {
                        connect(split, inner.entry, condition: "\(variable) == \(branch)")
                    }
                    connect(inner.exit, join)
                }
                return (split, join)
            case 4:
                let split = id("ps"), join = id("pj")
                elements.append(#"<bpmn:parallelGateway id="\#(split)"/>"#)
                elements.append(#"<bpmn:parallelGateway id="\#(join)"/>"#)
                for _ in 0..<Int.random(in: 2...3, using: &random) {
                    let inner = block(depth: depth + 1)
                    connect(split, inner.entry)
                    connect(inner.exit, join)
                }
                return (split, join)
            case 6:
                // An embedded subprocess around a block, sometimes with boundary timers of its own.
                let sub = id("sub"), start = id("sst"), end = id("sen")
                let mark = elements.count
                let inner = block(depth: depth + 1)
                connect(start, inner.entry)
                connect(inner.exit, end)
                let body = elements[mark...].joined(separator: "\n")
                elements.removeSubrange(mark...)
                elements.append(#"<bpmn:subProcess id="\#(sub)"><bpmn:startEvent id="\#(start)"/>\#(body)<bpmn:endEvent id="\#(end)"/></bpmn:subProcess>"#)
                return guarded(sub)
            case 7:
                // An event-based gateway racing two timers, merged after.
                let gateway = id("eg"), merge = id("em")
                elements.append(#"<bpmn:eventBasedGateway id="\#(gateway)"/>"#)
                elements.append(#"<bpmn:exclusiveGateway id="\#(merge)"/>"#)
                for minutes in [5, 10] {
                    let event = id("et")
                    let timer = BPMNFixtures.timer("PT\(minutes)M")
                    elements.append(#"<bpmn:intermediateCatchEvent id="\#(event)">\#(timer)</bpmn:intermediateCatchEvent>"#)
                    connect(gateway, event)
                    connect(event, merge)
                }
                return (gateway, merge)
            default:
                let branches = Int.random(in: 2...3, using: &random)
                let split = id("is"), join = id("ij"), variable = id("mask")
                choices.append((variable, 1 << branches))
                elements.append(#"<bpmn:inclusiveGateway id="\#(split)" default="\#(split)_default"/>"#)
                elements.append(#"<bpmn:inclusiveGateway id="\#(join)"/>"#)
                for branch in 0..<branches {
                    let inner = block(depth: depth + 1)
                    if branch == 0 {
                        elements.append(#"<bpmn:sequenceFlow id="\#(split)_default" sourceRef="\#(split)" targetRef="\#(inner.entry)"/>"#)
                    } else {
                        connect(split, inner.entry, condition: "\(variable) / \(1 << branch) % 2 == 1")
                    }
                    connect(inner.exit, join)
                }
                return (split, join)
            }
        }

        mutating func task() -> (entry: String, exit: String) {
            let node: String
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                node = id("svc")
                if Int.random(in: 0..<3, using: &random) == 0 {
                    // A multi-instance task over a small list, all at once or one after another.
                    let sequential = Bool.random(using: &random)
                    elements.append(#"<bpmn:serviceTask id="\#(node)"><bpmn:extensionElements><rapport:taskDefinition type="work"/></bpmn:extensionElements>"#
                        + #"<bpmn:multiInstanceLoopCharacteristics isSequential="\#(sequential)"><bpmn:extensionElements>"#
                        + #"<rapport:loopCharacteristics inputCollection="[1, 2, 3]" inputElement="item"/></bpmn:extensionElements>"#
                        + #"</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"#)
                } else {
                    elements.append(BPMNFixtures.serviceTask(node))
                }
                return guarded(node)
            case 1:
                node = id("usr")
                elements.append(#"<bpmn:userTask id="\#(node)"/>"#)
                return guarded(node)
            case 2:
                node = id("tmr")
                elements.append(#"<bpmn:intermediateCatchEvent id="\#(node)"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"#)
            case 3:
                node = id("scr")
                elements.append(BPMNFixtures.script(node, "visits = visits + 1\nlast_visit = string(visits)"))
            default:
                node = id("tsk")
                elements.append(#"<bpmn:task id="\#(node)"/>"#)
            }
            return (node, node)
        }

        /// A waiting activity, sometimes with boundary timers: an interrupting one leads to the
        /// activity's own way out (a merge after it), a non-interrupting one to an end event of its own.
        mutating func guarded(_ activity: String) -> (entry: String, exit: String) {
            guard Int.random(in: 0..<3, using: &random) == 0 else { return (activity, activity) }
            let merge = id("bm"), sla = id("bsla"), nudge = id("bnudge"), end = id("bend")
            elements.append(#"<bpmn:exclusiveGateway id="\#(merge)"/>"#)
            elements.append(#"<bpmn:boundaryEvent id="\#(sla)" attachedToRef="\#(activity)"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"#)
            elements.append(#"<bpmn:boundaryEvent id="\#(nudge)" attachedToRef="\#(activity)" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"#)
            elements.append(#"<bpmn:endEvent id="\#(end)"/>"#)
            connect(activity, merge)
            connect(sla, merge)
            connect(nudge, end)
            return (activity, merge)
        }
    }

    @Test("every generated instance ends with no token left, whatever order its work is done in", arguments: 0..<80)
    func endsOrWaits(seed: UInt64) throws {
        var generator = Generator(random: SplitMix(state: seed))
        let body = generator.block(depth: 0)
        generator.elements.append(#"<bpmn:startEvent id="start"/>"#)
        generator.elements.append(#"<bpmn:endEvent id="end"/>"#)
        generator.connect("start", body.entry)
        generator.connect(body.exit, "end")
        let engine = FlowEngine(try BPMNFixtures.process(generator.elements.joined(separator: "\n")))

        var random = SplitMix(state: seed &+ 1_000)
        for _ in 0..<5 {
            var variables: [String: JSONValue] = ["visits": 0]
            for choice in generator.choices { variables[choice.name] = .integer(Int64(Int.random(in: 0..<choice.range, using: &random))) }
            var outcome = engine.start(variables: variables, at: BPMNFixtures.epoch)
            var inputs = 0
            var fired: Set<String> = []
            while outcome.instance.status == .running {
                let actionable = outcome.instance.tokens.filter { token in
                    guard token.state == .waiting else { return false }
                    let node = engine.process.nodes[token.node]
                    switch node.kind {
                    case _ where token.locals["nrOfInstances"] != nil || node.element == "subProcess":
                        // A multi-instance body or a subprocess: only its boundary events can be fired.
                        return node.boundaries.contains { !fired.contains("\(token.id)/\(engine.process.nodes[$0].id)") }
                    case .serviceTask, .userTask, .catchEvent, .eventBasedGateway: return true
                    default: return false
                    }
                }
                guard let token = actionable.randomElement(using: &random) else {
                    Issue.record("seed \(seed): stalled with tokens \(outcome.instance.tokens) and variables \(variables)")
                    return
                }
                let node = engine.process.nodes[token.node]
                let unfired = node.boundaries.map { engine.process.nodes[$0].id }.filter { !fired.contains("\(token.id)/\($0)") }
                let input: FlowInput
                if case .catchEvent = node.kind {
                    input = .timerFired(token: token.id, node: node.id)
                } else if case .eventBasedGateway = node.kind, let flow = node.outgoing.randomElement(using: &random) {
                    input = .timerFired(token: token.id, node: engine.process.nodes[engine.process.flows[flow].target].id)
                } else if let boundary = unfired.randomElement(using: &random),
                          Bool.random(using: &random) || node.element == "subProcess" || token.locals["nrOfInstances"] != nil {
                    fired.insert("\(token.id)/\(boundary)")
                    input = .timerFired(token: token.id, node: boundary)
                } else {
                    input = .complete(token: token.id, variables: [:])
                }
                outcome = try engine.handle(input, on: outcome.instance, at: BPMNFixtures.epoch)
                inputs += 1
                #expect(outcome.actions.allSatisfy { if case .raiseIncident = $0 { false } else { true } }, "seed \(seed): \(outcome.actions)")
                guard inputs < 1_000 else {
                    Issue.record("seed \(seed): no end after 1,000 inputs")
                    return
                }
            }
            #expect(outcome.instance.status == .completed, "seed \(seed)")
            #expect(outcome.instance.tokens.isEmpty)
        }
    }
}
