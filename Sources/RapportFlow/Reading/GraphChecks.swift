/// The checks on a process's graph once every node and flow has been read: what may connect to
/// what, where boundary events may sit, and where conditions may be.
extension ProcessReading {
    mutating func check(_ nodes: [FlowNode], _ flows: [SequenceFlow]) {
        for node in nodes {
            checkConnections(of: node, in: nodes, flows)
            checkConditions(of: node, flows)
        }
    }

    private mutating func checkConnections(of node: FlowNode, in nodes: [FlowNode], _ flows: [SequenceFlow]) {
        switch node.kind {
        case .startEvent, .eventStart, .messageStart, .signalStart, .timerStart:
            if !node.incoming.isEmpty { problem(node.id, node.line, "a start event cannot have incoming sequence flows") }
            if node.parent != nil, !isNoneStart(node) {
                problem(node.id, node.line, "an embedded subprocess starts at a none start event; message, signal, timer and conditional start events start processes")
            }
        case .endEvent:
            if !node.outgoing.isEmpty { problem(node.id, node.line, "an end event cannot have outgoing sequence flows") }
        case .eventSubProcess:
            if !node.incoming.isEmpty || !node.outgoing.isEmpty {
                problem(node.id, node.line, "an event subprocess is on no sequence flow: its start event's event starts it")
            }
            if !node.boundaries.isEmpty { problem(node.id, node.line, "an event subprocess cannot have boundary events") }
        case .eventSubProcessStart:
            if !node.incoming.isEmpty { problem(node.id, node.line, "a start event cannot have incoming sequence flows") }
        case .linkThrow:
            if !node.outgoing.isEmpty { problem(node.id, node.line, "a link throw event cannot have outgoing sequence flows: it goes on at its catch") }
        case .linkCatch:
            if !node.incoming.isEmpty { problem(node.id, node.line, "a link catch event cannot have incoming sequence flows: its throw leads here") }
        case .boundaryEvent(let trigger, let activity, _):
            if !node.incoming.isEmpty { problem(node.id, node.line, "a boundary event cannot have incoming sequence flows") }
            if node.outgoing.isEmpty { problem(node.id, node.line, "a boundary event needs an outgoing sequence flow: where its token goes") }
            checkAttachment(of: node, trigger: trigger, to: nodes[activity])
        case .eventBasedGateway:
            if node.incoming.isEmpty { problem(node.id, node.line, "no sequence flow leads here, so it would never run") }
            if node.outgoing.count < 2 { problem(node.id, node.line, "an event-based gateway needs at least two outgoing flows: the events it races") }
            for flow in node.outgoing {
                let target = nodes[flows[flow].target]
                guard case .catchEvent = target.kind else {
                    problem(flows[flow].id, flows[flow].line, "a flow out of the event-based gateway \(node.id) must lead to a timer, message, "
                            + "signal or conditional catch event or a receive task, not to \(target.id)")
                    continue
                }
                if target.incoming.count > 1 {
                    problem(target.id, target.line, "an event after the event-based gateway \(node.id) cannot have other incoming flows")
                }
            }
        default:
            if node.incoming.isEmpty { problem(node.id, node.line, "no sequence flow leads here, so it would never run") }
        }
    }

    private func isNoneStart(_ node: FlowNode) -> Bool {
        if case .startEvent = node.kind { return true }
        return false
    }

    /// A boundary event sits on an activity that waits, and catches what that activity can throw.
    private mutating func checkAttachment(of node: FlowNode, trigger: EventTrigger, to activity: FlowNode) {
        let waits: Bool
        switch activity.kind {
        case .userTask, .serviceTask, .builtInTask, .subProcess, .callActivity: waits = true
        case .catchEvent: waits = activity.element == "receiveTask"
        default: waits = false
        }
        guard waits else {
            problem(node.id, node.line, "a boundary event is only on an activity that waits (a user, service or receive task, a subprocess or a call activity); "
                    + "\(activity.id) is not one, so it would never fire")
            return
        }
        switch trigger {
        case .error:
            switch activity.kind {
            case .serviceTask, .builtInTask, .userTask, .subProcess, .callActivity: break
            default: problem(node.id, node.line, "an error boundary event catches errors of a service or user task (its job), a subprocess or a call activity "
                             + "(the called instance); \(activity.id) throws none")
            }
        case .escalation:
            switch activity.kind {
            case .subProcess, .callActivity: break
            default: problem(node.id, node.line, "an escalation boundary event catches escalations raised inside a subprocess or a call activity's "
                             + "called instance; \(activity.id) is neither")
            }
        case .timer, .message, .signal, .conditional:
            break
        }
    }

    private mutating func checkConditions(of node: FlowNode, _ flows: [SequenceFlow]) {
        let conditioned = node.outgoing.filter { flows[$0].condition != nil }
        switch node.kind {
        case .exclusiveGateway(let defaultFlow), .inclusiveGateway(let defaultFlow):
            guard node.outgoing.count > 1 else { break }
            for flow in node.outgoing where flow != defaultFlow && flows[flow].condition == nil {
                problem(flows[flow].id, flows[flow].line, "a flow out of the gateway \(node.id) needs a condition or to be its default flow")
            }
        case .scriptTask, .serviceTask, .builtInTask, .userTask, .passThrough, .subProcess, .callActivity:
            break
        case .catchEvent where node.element == "receiveTask":
            break
        default:
            for flow in conditioned {
                problem(flows[flow].id, flows[flow].line, "a flow out of \(node.id) cannot have a condition (only gateways' and activities' flows can)")
            }
        }
    }
}
