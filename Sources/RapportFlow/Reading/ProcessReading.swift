import RapportCore

/// Reads one `<process>`: its nodes, then its flows, then checks that they form a runnable graph.
struct ProcessReading {
    let element: XMLElementNode
    private(set) var problems: [BPMNProblem] = []

    /// The file's `<message>` elements by id.
    let messages: [String: XMLElementNode]

    init(element: XMLElementNode, messages: [String: XMLElementNode] = [:]) {
        self.element = element
        self.messages = messages
    }

    /// A node before its flows are known; gateways name their default flow by id until then.
    private struct PendingNode {
        var id: String
        var name: String?
        var element: String
        var kind: NodeKindReading
        var line: Int
    }

    private struct PendingFlow {
        var id: String
        var name: String?
        var source: String
        var target: String
        var condition: FlowExpression?
        var line: Int
    }

    /// Flow elements with no effect on how an instance runs.
    private static let inert: Set<String> = [
        "documentation", "extensionElements", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
        "textAnnotation", "association", "group", "property", "ioSpecification", "auditing", "monitoring",
    ]

    mutating func read() -> ProcessDefinition? {
        guard let processID = element.attribute("id"), !processID.isEmpty else {
            problem(nil, element.line, "a <process> needs an id")
            return nil
        }
        var pending: [PendingNode] = []
        var pendingFlows: [PendingFlow] = []
        var seenIDs: Set<String> = [processID]
        for child in element.children where child.namespace == BPMNNamespace.model {
            if Self.inert.contains(child.localName) { continue }
            guard let id = child.attribute("id"), !id.isEmpty else {
                problem(nil, child.line, "<\(child.qualifiedName)> needs an id")
                continue
            }
            guard seenIDs.insert(id).inserted else {
                problem(id, child.line, "the id \(id) is used by another element")
                continue
            }
            let name = child.attribute("name")
            if child.localName == "sequenceFlow" {
                pendingFlows.append(PendingFlow(id: id, name: name, source: child.attribute("sourceRef") ?? "",
                                                target: child.attribute("targetRef") ?? "", condition: condition(of: child, id: id),
                                                line: child.line))
                continue
            }
            var nodeReading = NodeReading(element: child, id: id, messages: messages)
            if let kind = nodeReading.kind() {
                pending.append(PendingNode(id: id, name: name, element: child.localName, kind: kind, line: child.line))
            }
            problems += nodeReading.problems
        }
        // The graph is checked once every element reads: a refused element would only be reported
        // again as a missing reference, and its neighbours as unreachable.
        guard problems.isEmpty else { return nil }

        let nodeIndex = Dictionary(pending.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        var flows: [SequenceFlow] = []
        var incoming = Array(repeating: [Int](), count: pending.count)
        var outgoing = Array(repeating: [Int](), count: pending.count)
        for flow in pendingFlows {
            guard let source = nodeIndex[flow.source] else {
                problem(flow.id, flow.line, flow.source.isEmpty ? "the sequence flow has no sourceRef"
                                                                 : "sourceRef \(flow.source) is not a flow node of this process")
                continue
            }
            guard let target = nodeIndex[flow.target] else {
                problem(flow.id, flow.line, flow.target.isEmpty ? "the sequence flow has no targetRef"
                                                                 : "targetRef \(flow.target) is not a flow node of this process")
                continue
            }
            outgoing[source].append(flows.count)
            incoming[target].append(flows.count)
            flows.append(SequenceFlow(id: flow.id, name: flow.name, source: source, target: target, condition: flow.condition, line: flow.line))
        }
        let flowIndex = Dictionary(flows.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })

        var nodes: [FlowNode] = []
        for (position, node) in pending.enumerated() {
            let kind = resolve(node, outgoing: outgoing[position], flows: flows, flowIndex: flowIndex, nodeIndex: nodeIndex)
            nodes.append(FlowNode(id: node.id, name: node.name, element: node.element, kind: kind, incoming: incoming[position], outgoing: outgoing[position], line: node.line))
        }
        for position in nodes.indices {
            if case .boundaryTimer(_, let activity, _) = nodes[position].kind { nodes[activity].boundaries.append(position) }
        }
        check(nodes, flows)
        if !nodes.contains(where: { switch $0.kind { case .startEvent, .eventStart: true; default: false } }) {
            problem(processID, element.line, "the process has no start event it can be started by: a none start event, or a conditional one on CRM events")
        }
        guard problems.isEmpty else { return nil }
        return ProcessDefinition(id: processID, name: element.attribute("name"), nodes: nodes, flows: flows)
    }

    /// Turns a gateway's default flow id into its position, checking it leaves the gateway unconditioned.
    private mutating func resolve(_ node: PendingNode, outgoing: [Int], flows: [SequenceFlow], flowIndex: [String: Int],
                                  nodeIndex: [String: Int]) -> FlowNodeKind {
        switch node.kind {
        case .ready(let kind):
            return kind
        case .boundaryTimer(let timer, let attachedID, let interrupting):
            guard let activity = nodeIndex[attachedID] else {
                problem(node.id, node.line, "attachedToRef \(attachedID) is not a flow node of this process")
                return .passThrough
            }
            return .boundaryTimer(timer, attachedTo: activity, interrupting: interrupting)
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

    private mutating func check(_ nodes: [FlowNode], _ flows: [SequenceFlow]) {
        for node in nodes {
            switch node.kind {
            case .startEvent, .eventStart:
                if !node.incoming.isEmpty { problem(node.id, node.line, "a start event cannot have incoming sequence flows") }
            case .endEvent:
                if !node.outgoing.isEmpty { problem(node.id, node.line, "an end event cannot have outgoing sequence flows") }
            case .boundaryTimer(_, let activity, _):
                if !node.incoming.isEmpty { problem(node.id, node.line, "a boundary event cannot have incoming sequence flows") }
                if node.outgoing.isEmpty { problem(node.id, node.line, "a boundary event needs an outgoing sequence flow: where its token goes") }
                switch nodes[activity].kind {
                case .userTask, .serviceTask: break
                default:
                    problem(node.id, node.line, "a boundary timer is only on a user or service task (an activity that waits); \(nodes[activity].id) never waits, so it would never fire")
                }
            default:
                if node.incoming.isEmpty { problem(node.id, node.line, "no sequence flow leads here, so it would never run") }
            }
            let conditioned = node.outgoing.filter { flows[$0].condition != nil }
            switch node.kind {
            case .exclusiveGateway(let defaultFlow), .inclusiveGateway(let defaultFlow):
                guard node.outgoing.count > 1 else { break }
                for flow in node.outgoing where flow != defaultFlow && flows[flow].condition == nil {
                    problem(flows[flow].id, flows[flow].line, "a flow out of the gateway \(node.id) needs a condition or to be its default flow")
                }
            case .scriptTask, .serviceTask, .userTask, .passThrough:
                break
            default:
                for flow in conditioned {
                    problem(flows[flow].id, flows[flow].line, "a flow out of \(node.id) cannot have a condition (only gateways' and activities' flows can)")
                }
            }
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

    private mutating func problem(_ id: String?, _ line: Int, _ message: String) {
        problems.append(BPMNProblem(elementID: id, line: line, message: message))
    }
}
