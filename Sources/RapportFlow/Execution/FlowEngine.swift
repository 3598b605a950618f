import RapportCore

/// Runs instances of one process as a pure state machine: an instance and an input in, the new
/// instance and the actions to perform out. It does no I/O and reads no clock: `now` is given.
///
/// ```swift
/// let engine = FlowEngine(process)
/// var outcome = engine.start(variables: ["amount": 1_480], at: now)
/// // outcome.actions: activate a job, open a user task, schedule a timer, …
/// outcome = try engine.handle(.complete(token: 2, variables: [:]), on: outcome.instance, at: now)
/// ```
public struct FlowEngine: Sendable {
    public let process: ProcessDefinition

    public init(_ process: ProcessDefinition) {
        self.process = process
    }

    /// A new instance with a token on each none start event of the process (or only on
    /// `startNode`: a conditional, message or signal start event that happened), run until every
    /// token waits or ends. Timers in business hours count in `calendars` (the hours of each of
    /// `ProcessDefinition.businessHours`); `called`: a call activity starts it (see `FlowInstance.called`).
    public func start(variables: [String: JSONValue], at now: Timestamp, from startNode: Int? = nil,
                      calendars: FlowCalendars = [:], called: Bool = false) -> FlowOutcome {
        var run = FlowRun(process: process, instance: FlowInstance(variables: variables, called: called), now: now, calendars: calendars)
        for start in startNode.map({ [$0] }) ?? process.noneStarts {
            run.arrive(run.newToken(at: start, scope: nil), via: nil)
        }
        run.armEventSubprocesses(in: nil, holder: nil)
        run.settle()
        return run.outcome
    }

    /// Applies `input` to `instance` and runs it until every token waits or ends.
    public func handle(_ input: FlowInput, on instance: FlowInstance, at now: Timestamp,
                       calendars: FlowCalendars = [:]) throws(FlowInputError) -> FlowOutcome {
        guard instance.status == .running else {
            throw FlowInputError("the instance is \(instance.status.rawValue); it takes no more input")
        }
        var run = FlowRun(process: process, instance: instance, now: now, calendars: calendars)
        switch input {
        case .complete(let id, let variables):
            let token = try waitingToken(id, in: instance, "complete")
            run.take(variables, into: token)
            run.disarmBoundaries(of: token)
            run.leave(token, through: nil)
        case .fail(let id, let message):
            // Any waiting token: a job out of retries, a task or subscription the world refused.
            guard let token = instance.token(id), token.state == .waiting else {
                throw FlowInputError("token \(id) is not waiting for something to fail")
            }
            run.raiseIncident(id, message)
        case .throwError(let id, let code, let message, let variables):
            let token = try waitingToken(id, in: instance, "throw an error for", orCall: true)
            run.instance.set(variables, from: token)
            run.throwError(code, message: message, from: token)
        case .timerFired(let id, let node):
            run.eventHappened(at: try armedNode(node, .timer, for: id, in: instance), for: id, variables: [:])
        case .messageReceived(let id, let node, let variables):
            run.eventHappened(at: try armedNode(node, .message, for: id, in: instance), for: id, variables: variables)
        case .signalReceived(let id, let node, let variables):
            run.eventHappened(at: try armedNode(node, .signal, for: id, in: instance), for: id, variables: variables)
        case .calledProcessEnded(let id, let variables):
            guard let token = instance.token(id), token.state == .waiting, case .callActivity(let call) = process.nodes[token.node].kind else {
                throw FlowInputError("token \(id) is not waiting for a called process")
            }
            guard let outputs = run.mapped(call.outputs, over: variables, token: id, at: process.nodes[token.node], "output") else { break }
            run.instance.set(outputs, from: id)
            run.disarmBoundaries(of: id)
            run.leave(id, through: nil)
        case .escalation(let id, let code):
            guard let token = instance.token(id), token.state == .waiting, case .callActivity = process.nodes[token.node].kind else {
                throw FlowInputError("token \(id) is not waiting for a called process")
            }
            _ = run.escalate(code, from: id, fromCalled: true)
        case .retry(let id):
            guard let token = instance.token(id), case .incident = token.state else {
                throw FlowInputError("token \(id) has no incident to retry")
            }
            run.arrive(id, via: nil)
        case .setVariables(let variables):
            run.instance.variables.merge(variables) { _, new in new }
        case .cancel:
            run.withdrawAll()
            run.instance.status = .cancelled
        }
        run.settle()
        return run.outcome
    }

    /// The token, when it waits at a user or service task (work a person or a worker does) or,
    /// `orCall`, at a call activity (for the instance it called).
    private func waitingToken(_ id: Int, in instance: FlowInstance, _ verb: String, orCall: Bool = false) throws(FlowInputError) -> Int {
        guard let token = instance.token(id) else {
            throw FlowInputError("the instance has no token \(id) (it moved on, or never existed)")
        }
        let node = process.nodes[token.node]
        let isWork = switch node.kind {
        case .userTask, .serviceTask, .builtInTask: true
        case .callActivity: orCall
        default: false
        }
        guard token.state == .waiting, isWork else {
            throw FlowInputError("token \(id) at \(node.id) is not waiting for something to \(verb)")
        }
        if node.loop != nil, !(token.scope.flatMap(instance.token)?.node == token.node) {
            throw FlowInputError("token \(id) at \(node.id) is the multi-instance activity's body; its inner instances do the work")
        }
        return id
    }

    private enum ArmedKind: String { case timer, message, signal }

    /// The position of `nodeID` when the token armed an event of this kind there: the catch event it
    /// waits at, a boundary event of its activity, or an event after its event-based gateway.
    private func armedNode(_ nodeID: String, _ kind: ArmedKind, for id: Int, in instance: FlowInstance) throws(FlowInputError) -> Int {
        if let node = process.node(nodeID), case .eventSubProcessStart(let armed, _) = process.nodes[node].kind,
           let sub = process.nodes[node].parent, armed.name == kind.rawValue {
            // An event subprocess's start: armed for the process (token 0) or the subprocess around it.
            let scope = process.nodes[sub].parent
            let holds = id == 0 ? scope == nil : instance.token(id).map { $0.node == scope && $0.state == .waiting } ?? false
            guard holds else { throw FlowInputError("token \(id) does not wait for the event subprocess \(process.nodes[sub].id)") }
            return node
        }
        guard let token = instance.token(id) else {
            throw FlowInputError("the instance has no token \(id) (it moved on, or never existed)")
        }
        let at = process.nodes[token.node]
        guard let node = process.node(nodeID) else {
            throw FlowInputError("token \(id) at \(at.id) has no \(kind.rawValue) \(nodeID)")
        }
        let trigger: EventTrigger?
        switch process.nodes[node].kind {
        case .catchEvent(let armed) where token.node == node && token.state == .waiting:
            trigger = armed
        case .catchEvent(let armed) where process.nodes[node].incoming.contains(where: { process.flows[$0].source == token.node }):
            if case .eventBasedGateway = at.kind, token.state == .waiting { trigger = armed } else { trigger = nil }
        case .boundaryEvent(let armed, let activity, _) where activity == token.node:
            trigger = armed
        default:
            trigger = nil
        }
        guard let trigger, trigger.name == kind.rawValue else {
            throw FlowInputError("token \(id) at \(at.id) has no \(kind.rawValue) \(nodeID)")
        }
        return node
    }
}
