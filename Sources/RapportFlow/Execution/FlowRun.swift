import RapportCore

/// One input's worth of execution: moves tokens until each waits, joins or ends, collecting the
/// actions and history steps on the way. Gateways, events and subprocesses are in extensions.
struct FlowRun {
    let process: ProcessDefinition
    var instance: FlowInstance
    let now: Timestamp
    /// The opening hours its business-hours timers count in.
    let calendars: FlowCalendars
    var actions: [FlowAction] = []
    var steps: [FlowStep] = []
    /// Tokens that reached a node and have not entered it yet, with the flow they came by.
    private var arrivals: [(token: Int, flow: Int?)] = []
    private var nextArrival = 0

    init(process: ProcessDefinition, instance: FlowInstance, now: Timestamp, calendars: FlowCalendars = [:]) {
        self.process = process
        self.instance = instance
        self.now = now
        self.calendars = calendars
    }

    var outcome: FlowOutcome { FlowOutcome(instance: instance, actions: actions, steps: steps) }

    mutating func newToken(at node: Int, scope: Int?) -> Int {
        let id = instance.nextTokenID
        instance.nextTokenID += 1
        instance.tokens.append(FlowToken(id: id, node: node, state: .waiting, scope: scope))
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
        } while fireInclusiveJoins() || fireConditions()
        if instance.status == .running && instance.tokens.isEmpty {
            instance.status = .completed
        }
    }

    func index(of token: Int) -> Int? {
        instance.tokens.firstIndex { $0.id == token }
    }

    /// The node the token is at.
    func node(of token: Int) -> FlowNode? {
        index(of: token).map { process.nodes[instance.tokens[$0].node] }
    }

    private mutating func enter(_ token: Int, via flow: Int?) {
        guard instance.status == .running, let position = index(of: token) else { return }
        let nodeIndex = instance.tokens[position].node
        let node = process.nodes[nodeIndex]
        instance.tokens[position].state = .waiting
        steps.append(FlowStep(.activated, node: node.id, token: token))
        if let loop = node.loop, !isInnerInstance(instance.tokens[position]) {
            startLoop(loop, body: token, at: node)
            return
        }
        guard mapInputs(of: node, token: token) else { return }
        switch node.kind {
        case .startEvent, .eventStart, .messageStart, .signalStart, .timerStart, .passThrough, .linkCatch, .boundaryEvent, .eventSubProcessStart:
            leave(token, through: nil)
        case .endEvent(let behaviour):
            end(token, at: node, behaviour)
        case .throwEvent(.signal(let name)):
            actions.append(.broadcastSignal(name))
            leave(token, through: nil)
        case .throwEvent(.escalation(let code)):
            if escalate(code, from: token) { leave(token, through: nil) }
        case .linkThrow(let target):
            steps.append(FlowStep(.completed, node: node.id, token: token))
            instance.tokens[position].node = target
            arrive(token, via: nil)
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
        case .eventBasedGateway:
            armEventGateway(node, token: token)
        case .scriptTask(let assignments):
            if runScript(assignments, node: node, token: token) { leave(token, through: nil) }
        case .decisionTask(let table, let resultVariable):
            switch table.evaluate(instance.variables(for: token)) {
            case .success(let result):
                take([resultVariable: result], into: token)
                leave(token, through: nil)
            case .failure(let failure):
                raiseIncident(token, "the decision table of \(node.id) could not decide: \(failure.message)")
            }
        case .serviceTask(let job):
            actions.append(.activateJob(token: token, node: node.id, job: job))
            armBoundaries(of: node, token: token)
        case .builtInTask(let action):
            guard let inputs = mapped(action.inputs, over: instance.variables(for: token), token: token, at: node, "input") else { return }
            actions.append(.perform(token: token, node: node.id, action: action.kind, inputs: inputs, resultVariable: action.resultVariable))
            armBoundaries(of: node, token: token)
        case .userTask(let task):
            actions.append(.openUserTask(token: token, node: node.id, name: node.name, task: task))
            armBoundaries(of: node, token: token)
        case .catchEvent(let trigger):
            arm(trigger, token: token, at: node)
            armBoundaries(of: node, token: token)
        case .subProcess(let start):
            armBoundaries(of: node, token: token)
            armEventSubprocesses(in: nodeIndex, holder: token)
            arrive(newToken(at: start, scope: token), via: nil)
        case .eventSubProcess(let start):
            armEventSubprocesses(in: nodeIndex, holder: token)
            arrive(newToken(at: start, scope: token), via: nil)
        case .callActivity(let call):
            guard let variables = mapped(call.inputs, over: instance.variables(for: token), token: token, at: node, "input") else { return }
            actions.append(.callProcess(token: token, node: node.id, process: call.processKey, variables: variables))
            armBoundaries(of: node, token: token)
        }
    }

    /// What happens at an end event.
    private mutating func end(_ token: Int, at node: FlowNode, _ behaviour: EndEventBehaviour) {
        switch behaviour {
        case .none:
            finish(token)
        case .signal(let name):
            actions.append(.broadcastSignal(name))
            finish(token)
        case .escalation(let code):
            if escalate(code, from: token) { finish(token) }
        case .error(let code):
            throwError(code, message: nil, from: token)
        case .terminate:
            guard let position = index(of: token) else { return }
            let scope = instance.tokens[position].scope
            steps.append(FlowStep(.completed, node: node.id, token: token))
            instance.tokens.remove(at: position)
            if let scope {
                withdrawTokens(in: scope)
                completeScopeIfDone(scope)
            } else {
                withdrawAll()
                instance.status = .terminated
            }
        }
    }

    /// Moves the token out of its node along `flows` (nil: every outgoing flow whose condition
    /// holds); the first flow keeps the token, each other one gets a new token. No flow ends it.
    /// An inner instance of a multi-instance activity is done instead (unless `loopDone`: the body
    /// itself leaves).
    mutating func leave(_ token: Int, through flows: [Int]?, loopDone: Bool = false) {
        guard let position = index(of: token) else { return }
        // The node's outputs first (an incident there keeps the token at the node).
        if !loopDone, !mapOutputs(of: process.nodes[instance.tokens[position].node], token: token) { return }
        if !loopDone, isInnerInstance(instance.tokens[position]), let body = instance.tokens[position].scope {
            completeInner(token, body: body)
            return
        }
        let node = process.nodes[instance.tokens[position].node]
        let taken: [Int]
        if let flows {
            taken = flows
        } else if let conditional = takenFlows(node, token: token) {
            taken = conditional
        } else {
            return
        }
        guard let first = taken.first else {
            finish(token)
            return
        }
        steps.append(FlowStep(.completed, node: node.id, token: token))
        let scope = instance.tokens[position].scope
        instance.tokens[position].node = process.flows[first].target
        instance.tokens[position].state = .waiting
        instance.tokens[position].locals = [:]
        arrive(token, via: first)
        for flow in taken.dropFirst() {
            arrive(newToken(at: process.flows[flow].target, scope: scope), via: flow)
        }
    }

    /// The token ends where it is; the subprocess it ran in goes on when it was the last inside.
    mutating func finish(_ token: Int) {
        guard let position = index(of: token) else { return }
        steps.append(FlowStep(.completed, node: process.nodes[instance.tokens[position].node].id, token: token))
        let scope = instance.tokens[position].scope
        instance.tokens.remove(at: position)
        completeScopeIfDone(scope)
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

    /// The condition's value, or nil after raising an incident when it is not a boolean.
    mutating func evaluate(_ condition: FlowExpression, of flow: Int, token: Int) -> Bool? {
        switch condition.evaluate(instance.variables(for: token)) {
        case .success(.bool(let holds)):
            return holds
        case .success(let other):
            raiseIncident(token, "the condition of \(process.flows[flow].id), `\(condition.source)`, gave \(other.typeName), not a bool")
        case .failure(let error):
            raiseIncident(token, "the condition of \(process.flows[flow].id), `\(condition.source)`, failed: \(error)")
        }
        return nil
    }

    /// Runs the script's lines in order, each seeing the ones before; the values are set as the
    /// token sets variables (in the nearest scope that has them, else the instance's).
    private mutating func runScript(_ assignments: [ScriptAssignment], node: FlowNode, token: Int) -> Bool {
        var variables = instance.variables(for: token)
        var assigned: [String: JSONValue] = [:]
        for assignment in assignments {
            switch assignment.expression.evaluate(variables) {
            case .success(let value):
                variables[assignment.variable] = value
                assigned[assignment.variable] = value
            case .failure(let error):
                raiseIncident(token, "the script's `\(assignment.variable) = \(assignment.expression.source)` failed: \(error)")
                return false
            }
        }
        instance.set(assigned, from: token)
        return true
    }

    /// The variables `mappings` give over `variables` (nil mappings: all of them); nil after an
    /// incident when one fails.
    /// `chained`: each mapping sees the ones before it.
    mutating func mapped(_ mappings: [VariableMapping]?, over variables: [String: JSONValue], token: Int, at node: FlowNode,
                         _ what: String, chained: Bool = false) -> [String: JSONValue]? {
        guard let mappings else { return variables }
        var result: [String: JSONValue] = [:]
        var seen = variables
        for mapping in mappings {
            switch mapping.source.evaluate(seen) {
            case .success(let value):
                result[mapping.target] = value
                if chained { seen[mapping.target] = value }
            case .failure(let error):
                raiseIncident(token, "the \(what) mapping `\(mapping.target) = \(mapping.source.source)` of \(node.id) failed: \(error)")
                return nil
            }
        }
        return result
    }

    /// Puts the token in an incident until it is retried.
    mutating func raiseIncident(_ token: Int, _ message: String) {
        guard let position = index(of: token) else { return }
        let node = process.nodes[instance.tokens[position].node].id
        instance.tokens[position].state = .incident(message)
        steps.append(FlowStep(.incident, node: node, token: token))
        actions.append(.raiseIncident(token: token, node: node, message: message))
    }
}
