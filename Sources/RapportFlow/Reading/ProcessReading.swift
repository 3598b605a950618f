import RapportCore

/// Reads one `<process>`: its nodes (those of its embedded subprocesses too), then its flows, then
/// checks that they form a runnable graph.
struct ProcessReading {
    let element: XMLElementNode
    private(set) var problems: [BPMNProblem] = []

    /// The file's messages, signals, errors and escalations by id.
    let roots: RootElements

    init(element: XMLElementNode, roots: RootElements = RootElements()) {
        self.element = element
        self.roots = roots
    }

    /// A node before its flows are known; gateways name their default flow by id until then.
    private struct PendingNode {
        var id: String
        var name: String?
        var element: String
        var kind: NodeKindReading
        var line: Int
        /// The id of the subprocess it is in.
        var parent: String?
        var loop: MultiInstanceLoop?
        var mappings: NodeMappings?
    }

    private struct PendingFlow {
        var id: String
        var name: String?
        var source: String
        var target: String
        var condition: FlowExpression?
        var line: Int
        var parent: String?
    }

    /// What has been read so far.
    private struct Collected {
        var nodes: [PendingNode] = []
        var flows: [PendingFlow] = []
        var ids: Set<String> = []
    }

    /// Flow elements with no effect on how an instance runs.
    private static let inert: Set<String> = [
        "documentation", "extensionElements", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
        "textAnnotation", "association", "group", "property", "ioSpecification", "auditing", "monitoring",
        "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "dataInputAssociation", "dataOutputAssociation",
        "incoming", "outgoing",
    ]

    mutating func read() -> ProcessDefinition? {
        guard let processID = element.attribute("id"), !processID.isEmpty else {
            problem(nil, element.line, "a <process> needs an id")
            return nil
        }
        var collected = Collected(ids: [processID])
        collect(element, parent: nil, into: &collected)
        // The graph is checked once every element reads: a refused element would only be reported
        // again as a missing reference, and its neighbours as unreachable.
        guard problems.isEmpty else { return nil }
        let pending = collected.nodes

        let nodeIndex = Dictionary(pending.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var flows: [SequenceFlow] = []
        var incoming = Array(repeating: [Int](), count: pending.count)
        var outgoing = Array(repeating: [Int](), count: pending.count)
        for flow in collected.flows {
            guard let source = nodeIndex[flow.source], pending[source].parent == flow.parent else {
                problem(flow.id, flow.line, flow.source.isEmpty ? "the sequence flow has no sourceRef"
                                                                 : "sourceRef \(flow.source) is not a flow node \(Self.container(flow.parent))")
                continue
            }
            guard let target = nodeIndex[flow.target], pending[target].parent == flow.parent else {
                problem(flow.id, flow.line, flow.target.isEmpty ? "the sequence flow has no targetRef"
                                                                 : "targetRef \(flow.target) is not a flow node \(Self.container(flow.parent))")
                continue
            }
            outgoing[source].append(flows.count)
            incoming[target].append(flows.count)
            flows.append(SequenceFlow(id: flow.id, name: flow.name, source: source, target: target, condition: flow.condition, line: flow.line))
        }
        let flowIndex = Dictionary(flows.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })

        let kinds = pending.indices.map { position in
            resolve(pending[position], outgoing: outgoing[position], flows: flows, flowIndex: flowIndex, pending: pending, nodeIndex: nodeIndex)
        }
        var boundaries = Array(repeating: [Int](), count: pending.count)
        for position in kinds.indices {
            if case .boundaryEvent(_, let activity, _) = kinds[position] { boundaries[activity].append(position) }
        }
        let nodes = pending.indices.map { position in
            let node = pending[position]
            return FlowNode(id: node.id, name: node.name, element: node.element, kind: kinds[position], incoming: incoming[position],
                            outgoing: outgoing[position], boundaries: boundaries[position], line: node.line,
                            parent: node.parent.flatMap { nodeIndex[$0] }, loop: node.loop, mappings: node.mappings)
        }
        check(nodes, flows)
        let startable = nodes.contains { node in
            guard node.parent == nil else { return false }
            switch node.kind {
            case .startEvent, .eventStart, .messageStart, .signalStart, .timerStart: return true
            default: return false
            }
        }
        if !startable {
            problem(processID, element.line, "the process has no start event it can be started by: a none start event, a message, "
                    + "signal or timer start event, or a conditional one on CRM events")
        }
        guard problems.isEmpty else { return nil }
        return ProcessDefinition(id: processID, name: element.attribute("name"), nodes: nodes, flows: flows)
    }

    private static func container(_ parent: String?) -> String {
        parent.map { "of the subprocess \($0) (a sequence flow stays inside its subprocess)" } ?? "of this process"
    }

    /// Reads the flow elements of the process or of an embedded subprocess, and those of the
    /// subprocesses inside it.
    private mutating func collect(_ container: XMLElementNode, parent: String?, eventSubprocess: Bool = false, into collected: inout Collected) {
        for child in container.children where child.namespace == BPMNNamespace.model {
            if Self.inert.contains(child.localName) { continue }
            guard let id = child.attribute("id"), !id.isEmpty else {
                problem(nil, child.line, "<\(child.qualifiedName)> needs an id")
                continue
            }
            guard collected.ids.insert(id).inserted else {
                problem(id, child.line, "the id \(id) is used by another element")
                continue
            }
            let name = child.attribute("name")
            if child.localName == "sequenceFlow" {
                collected.flows.append(PendingFlow(id: id, name: name, source: child.attribute("sourceRef") ?? "",
                                                   target: child.attribute("targetRef") ?? "", condition: condition(of: child, id: id),
                                                   line: child.line, parent: parent))
                continue
            }
            var nodeReading = NodeReading(element: child, id: id, roots: roots, inEventSubprocess: eventSubprocess)
            let kind = nodeReading.kind()
            let (loop, loopFailed) = nodeReading.loop()
            let mappings = kind.flatMap { nodeReading.mappings(of: $0) }
            problems += nodeReading.problems
            guard let kind, !loopFailed else { continue }
            collected.nodes.append(PendingNode(id: id, name: name, element: child.localName, kind: kind, line: child.line, parent: parent, loop: loop,
                                               mappings: mappings))
            switch kind {
            case .subProcess: collect(child, parent: id, into: &collected)
            case .eventSubProcess: collect(child, parent: id, eventSubprocess: true, into: &collected)
            default: break
            }
        }
    }

    /// Resolves what a node names by id: a gateway's default flow, a boundary event's activity, a
    /// link throw's catch, a subprocess's start event.
    private mutating func resolve(_ node: PendingNode, outgoing: [Int], flows: [SequenceFlow], flowIndex: [String: Int],
                                  pending: [PendingNode], nodeIndex: [String: Int]) -> FlowNodeKind {
        switch node.kind {
        case .ready(let kind):
            return kind
        case .linkCatch:
            return .linkCatch
        case .boundary(let trigger, let attachedID, let interrupting):
            guard let activity = nodeIndex[attachedID], pending[activity].parent == node.parent else {
                problem(node.id, node.line, "attachedToRef \(attachedID) is not a flow node \(Self.container(node.parent))")
                return .passThrough
            }
            return .boundaryEvent(trigger, attachedTo: activity, interrupting: interrupting)
        case .linkThrow(let name):
            let catches = pending.indices.filter { position in
                guard pending[position].parent == node.parent, case .linkCatch(let caught) = pending[position].kind else { return false }
                return caught == name
            }
            guard catches.count == 1 else {
                problem(node.id, node.line, catches.isEmpty ? "no link catch event named \(name) is \(Self.container(node.parent)) for this link to go on at"
                                                            : "\(catches.count) link catch events are named \(name); a link needs exactly one")
                return .passThrough
            }
            return .linkThrow(target: catches[0])
        case .eventSubProcess:
            let starts = pending.indices.filter { pending[$0].parent == node.id && pending[$0].element == "startEvent" }
            guard starts.count == 1 else {
                problem(node.id, node.line, "an event subprocess needs exactly one start event (the event that starts it), not \(starts.count)")
                return .passThrough
            }
            return .eventSubProcess(start: starts[0])
        case .subProcess:
            let starts = pending.indices.filter { pending[$0].parent == node.id && pending[$0].element == "startEvent" }
            guard starts.count == 1, case .ready(.startEvent) = pending[starts[0]].kind else {
                problem(node.id, node.line, starts.count == 1 ? "a subprocess starts at a none start event (its start event has an event definition)"
                                                             : "an embedded subprocess needs exactly one none start event, not \(starts.count)")
                return .passThrough
            }
            return .subProcess(start: starts[0])
        case .gateway(let inclusive, let defaultID):
            var defaultFlow: Int?
            if let defaultID {
                if let index = flowIndex[defaultID], outgoing.contains(index) {
                    defaultFlow = index
                    if flows[index].condition != nil {
                        problem(defaultID, flows[index].line, "the default flow of \(node.id) must not have a condition")
                    }
                } else {
                    problem(node.id, node.line, "the default flow \(defaultID) is not an outgoing sequence flow of this gateway")
                }
            }
            return inclusive ? .inclusiveGateway(defaultFlow: defaultFlow) : .exclusiveGateway(defaultFlow: defaultFlow)
        }
    }

    private mutating func condition(of flow: XMLElementNode, id: String) -> FlowExpression? {
        guard let expression = flow.child("conditionExpression", namespace: BPMNNamespace.model) else { return nil }
        if let language = expression.attribute("language"), !ExpressionReading.isCEL(language) {
            problem(id, expression.line, "the condition's language \(language) is not supported; write it in CEL")
            return nil
        }
        switch ExpressionReading.compile(expression.text) {
        case .success(let compiled): return compiled
        case .failure(let message):
            problem(id, expression.line, "the condition \(ExpressionReading.quoted(expression.text)) \(message)")
            return nil
        }
    }

    mutating func problem(_ id: String?, _ line: Int, _ message: String) {
        problems.append(BPMNProblem(elementID: id, line: line, message: message))
    }
}
