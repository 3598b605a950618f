import RapportCore

/// One input's worth of execution: moves tokens until each waits, joins or ends, collecting the
/// actions and history steps on the way.
struct FlowRun {
    let process: ProcessDefinition
    var instance: FlowInstance
    let now: Timestamp
    private(set) var actions: [FlowAction] = []
    private(set) var steps: [FlowStep] = []
    /// Tokens that reached a node and have not entered it yet, with the flow they came by.
    private var arrivals: [(token: Int, flow: Int?)] = []
    private var nextArrival = 0

    init(process: ProcessDefinition, instance: FlowInstance, now: Timestamp) {
        self.process = process
        self.instance = instance
        self.now = now
    }

    var outcome: FlowOutcome { FlowOutcome(instance: instance, actions: actions, steps: steps) }

    mutating func newToken(at node: Int) -> Int {
        let id = instance.nextTokenID
        instance.nextTokenID += 1
        instance.tokens.append(FlowToken(id: id, node: node, state: .waiting))
        return id
    }

    mutating func arrive(_ token: Int, via flow: Int?) {
        arrivals.append((token, flow))
    }

    /// Enters every arrival, then fires inclusive joins nothing more can reach, until nothing moves.
    mutating func settle() {
        repeat {
            while nextArrival < arrivals.count {
                let arrival = arrivals[nextArrival]
                nextArrival += 1
                enter(arrival.token, via: arrival.flow)
            }
        } while fireInclusiveJoins()
        if instance.status == .running && instance.tokens.isEmpty {
            instance.status = .completed
        }
    }

    private func index(of token: Int) -> Int? {
        instance.tokens.firstIndex { $0.id == token }
    }

    private mutating func enter(_ token: Int, via flow: Int?) {
        guard instance.status == .running, let position = index(of: token) else { return }
        let nodeIndex = instance.tokens[position].node
        let node = process.nodes[nodeIndex]
        instance.tokens[position].state = .waiting
        steps.append(FlowStep(.activated, node: node.id, token: token))
        switch node.kind {
        case .startEvent, .eventStart, .passThrough:
            leave(token, through: nil)
        case .endEvent(.none):
            steps.append(FlowStep(.completed, node: node.id, token: token))
            instance.tokens.remove(at: position)
        case .endEvent(.terminate):
            steps.append(FlowStep(.completed, node: node.id, token: token))
            instance.tokens.remove(at: position)
            withdrawAll()
            instance.status = .terminated
        case .exclusiveGateway(let defaultFlow):
            if node.outgoing.count <= 1 {
                leave(token, through: nil)
            } else if let chosen = chooseExclusive(node, defaultFlow: defaultFlow, token: token) {
                leave(token, through: [chosen])
            }
        case .inclusiveGateway(let defaultFlow):
            if node.incoming.count > 1, let flow {
                instance.tokens[position].state = .joining(flow: flow)
            } else if let chosen = chooseInclusive(node, defaultFlow: defaultFlow, token: token) {
                leave(token, through: chosen)
            }
        case .parallelGateway:
            if node.incoming.count > 1, let flow {
                instance.tokens[position].state = .joining(flow: flow)
                joinParallel(at: nodeIndex, continuing: token)
            } else {
                leave(token, through: nil)
            }
        case .scriptTask(let assignments):
            if runScript(assignments, node: node, token: token) { leave(token, through: nil) }
        case .serviceTask(let job):
            actions.append(.activateJob(token: token, node: node.id, job: job))
            scheduleBoundaryTimers(of: node, token: token)
        case .userTask(let task):
            actions.append(.openUserTask(token: token, node: node.id, name: node.name, task: task))
            scheduleBoundaryTimers(of: node, token: token)
        case .timerCatch(let timer):
            actions.append(.scheduleTimer(token: token, node: node.id, due: timer.due(after: now)))
        case .messageCatch(let subscription):
            subscribe(token, at: node, to: subscription)
        case .boundaryTimer:
            leave(token, through: nil)
        }
    }

    /// Asks for the message; a key expression that fails or gives no text or number is an incident.
    private mutating func subscribe(_ token: Int, at node: FlowNode, to subscription: MessageSubscription) {
        var key: String?
        if let expression = subscription.correlationKey {
            switch expression.evaluate(instance.variables) {
            case .success(.string(let text)): key = text
            case .success(.integer(let number)): key = String(number)
            case .success(let other):
                raiseIncident(token, "the correlation key `\(expression.source)` gave \(other.typeName), not text or a number")
                return
            case .failure(let error):
                raiseIncident(token, "the correlation key `\(expression.source)` failed: \(error)")
                return
            }
        }
        actions.append(.subscribe(token: token, node: node.id, message: subscription.name, correlationKey: key))
    }

    /// The timers on the border of a waiting activity start when the token arrives.
    private mutating func scheduleBoundaryTimers(of node: FlowNode, token: Int) {
        for boundary in node.boundaries {
            guard case .boundaryTimer(let timer, _, _) = process.nodes[boundary].kind else { continue }
            actions.append(.scheduleTimer(token: token, node: process.nodes[boundary].id, due: timer.due(after: now)))
        }
    }

    /// The activity the token waited at is done: its boundary timers go.
    mutating func cancelBoundaryTimers(of token: Int) {
        guard let position = index(of: token), !process.nodes[instance.tokens[position].node].boundaries.isEmpty else { return }
        actions.append(.cancelTimers(token: token))
    }

    /// A boundary timer is due: a new token leaves through the boundary event; interrupting, the
    /// activity's token is withdrawn, otherwise the activity goes on waiting.
    mutating func fireBoundary(_ boundary: Int, of token: Int, interrupting: Bool) {
        guard let position = index(of: token) else { return }
        if interrupting {
            // The activity's token ends there; a new one leaves (so nothing meant for the
            // activity, a late completion, can move the escalation's token).
            let activity = process.nodes[instance.tokens[position].node].id
            actions.append(.withdraw(token: token, node: activity))
            steps.append(FlowStep(.withdrawn, node: activity, token: token))
            instance.tokens.remove(at: position)
        }
        arrive(newToken(at: boundary), via: nil)
    }

    /// Moves the token out of its node along `flows` (nil: every outgoing flow whose condition
    /// holds); the first flow keeps the token, each other one gets a new token. No flow ends it.
    mutating func leave(_ token: Int, through flows: [Int]?) {
        guard let position = index(of: token) else { return }
        let node = process.nodes[instance.tokens[position].node]
        let taken: [Int]
        if let flows {
            taken = flows
        } else if let conditional = takenFlows(node, token: token) {
            taken = conditional
        } else {
            return
        }
        steps.append(FlowStep(.completed, node: node.id, token: token))
        guard let first = taken.first else {
            instance.tokens.remove(at: position)
            return
        }
        instance.tokens[position].node = process.flows[first].target
        instance.tokens[position].state = .waiting
        arrive(token, via: first)
        for flow in taken.dropFirst() {
            arrive(newToken(at: process.flows[flow].target), via: flow)
        }
    }

    /// An activity's outgoing flows: unconditioned ones always, conditioned ones when they hold.
    private mutating func takenFlows(_ node: FlowNode, token: Int) -> [Int]? {
        var taken: [Int] = []
        for flow in node.outgoing {
            guard let condition = process.flows[flow].condition else {
                taken.append(flow)
                continue
            }
            guard let holds = evaluate(condition, of: flow, token: token) else { return nil }
            if holds { taken.append(flow) }
        }
        return taken
    }

    private mutating func chooseExclusive(_ node: FlowNode, defaultFlow: Int?, token: Int) -> Int? {
        for flow in node.outgoing where flow != defaultFlow {
            guard let condition = process.flows[flow].condition else { continue }
            guard let holds = evaluate(condition, of: flow, token: token) else { return nil }
            if holds { return flow }
        }
        if let defaultFlow { return defaultFlow }
        raiseIncident(token, "no condition of the flows out of \(node.id) holds, and it has no default flow")
        return nil
    }

    private mutating func chooseInclusive(_ node: FlowNode, defaultFlow: Int?, token: Int) -> [Int]? {
        if node.outgoing.count <= 1 { return node.outgoing }
        var taken: [Int] = []
        for flow in node.outgoing where flow != defaultFlow {
            guard let condition = process.flows[flow].condition else { continue }
            guard let holds = evaluate(condition, of: flow, token: token) else { return nil }
            if holds { taken.append(flow) }
        }
        if taken.isEmpty, let defaultFlow { return [defaultFlow] }
        if taken.isEmpty {
            raiseIncident(token, "no condition of the flows out of \(node.id) holds, and it has no default flow")
            return nil
        }
        return taken
    }

    /// The condition's value, or nil after raising an incident when it is not a boolean.
    private mutating func evaluate(_ condition: FlowExpression, of flow: Int, token: Int) -> Bool? {
        switch condition.evaluate(instance.variables) {
        case .success(.bool(let holds)):
            return holds
        case .success(let other):
            raiseIncident(token, "the condition of \(process.flows[flow].id), `\(condition.source)`, gave \(other.typeName), not a bool")
        case .failure(let error):
            raiseIncident(token, "the condition of \(process.flows[flow].id), `\(condition.source)`, failed: \(error)")
        }
        return nil
    }

    private mutating func runScript(_ assignments: [ScriptAssignment], node: FlowNode, token: Int) -> Bool {
        var variables = instance.variables
        for assignment in assignments {
            switch assignment.expression.evaluate(variables) {
            case .success(let value):
                variables[assignment.variable] = value
            case .failure(let error):
                raiseIncident(token, "the script's `\(assignment.variable) = \(assignment.expression.source)` failed: \(error)")
                return false
            }
        }
        instance.variables = variables
        return true
    }

    /// Continues with one token when each incoming flow of the parallel join has one waiting.
    private mutating func joinParallel(at node: Int, continuing token: Int) {
        var consumed: [Int] = []
        for flow in process.nodes[node].incoming {
            guard let waiting = instance.tokens.first(where: { $0.node == node && $0.state == .joining(flow: flow) }) else { return }
            consumed.append(waiting.id)
        }
        merge(consumed, at: node, continuing: token)
        leave(token, through: nil)
    }

    /// Removes the joined tokens except the one that goes on.
    private mutating func merge(_ consumed: [Int], at node: Int, continuing token: Int) {
        for id in consumed where id != token {
            steps.append(FlowStep(.completed, node: process.nodes[node].id, token: id))
            if let position = index(of: id) { instance.tokens.remove(at: position) }
        }
        if let position = index(of: token) { instance.tokens[position].state = .waiting }
    }

    /// Fires each inclusive join that has a token waiting and that no other token can still reach.
    private mutating func fireInclusiveJoins() -> Bool {
        guard instance.status == .running else { return false }
        var fired = false
        for candidate in instance.tokens.map(\.id) {
            guard let token = instance.token(candidate), case .joining = token.state,
                  case .inclusiveGateway(let defaultFlow) = process.nodes[token.node].kind else { continue }
            let join = token.node
            let blocked = instance.tokens.contains { other in
                if other.node == join, case .joining = other.state { return false }
                return process.reachable[other.node].contains(join)
            }
            if blocked { continue }
            var consumed: [Int] = []
            for flow in process.nodes[join].incoming {
                if let waiting = instance.tokens.first(where: { $0.node == join && $0.state == .joining(flow: flow) }) {
                    consumed.append(waiting.id)
                }
            }
            let continuing = consumed[0]
            merge(consumed, at: join, continuing: continuing)
            if let chosen = chooseInclusive(process.nodes[join], defaultFlow: defaultFlow, token: continuing) {
                leave(continuing, through: chosen)
            }
            fired = true
        }
        return fired
    }

    /// Puts the token in an incident until it is retried.
    mutating func raiseIncident(_ token: Int, _ message: String) {
        guard let position = index(of: token) else { return }
        let node = process.nodes[instance.tokens[position].node].id
        instance.tokens[position].state = .incident(message)
        steps.append(FlowStep(.incident, node: node, token: token))
        actions.append(.raiseIncident(token: token, node: node, message: message))
    }

    /// Ends every token, withdrawing what waiting ones waited for.
    mutating func withdrawAll() {
        for token in instance.tokens {
            let node = process.nodes[token.node]
            switch node.kind {
            case .serviceTask, .userTask, .timerCatch, .messageCatch:
                // Also after an incident: the activity's boundary timers still run.
                actions.append(.withdraw(token: token.id, node: node.id))
            default:
                break
            }
            steps.append(FlowStep(.withdrawn, node: node.id, token: token.id))
        }
        instance.tokens.removeAll()
    }
}
