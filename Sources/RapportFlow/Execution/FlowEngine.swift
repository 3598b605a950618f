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

    /// A new instance with a token on each none start event (or only on `startNode`, a
    /// conditional start event a CRM event matched), run until every token waits or ends.
    public func start(variables: [String: JSONValue], at now: Timestamp, from startNode: Int? = nil) -> FlowOutcome {
        var run = FlowRun(process: process, instance: FlowInstance(variables: variables), now: now)
        for start in startNode.map({ [$0] }) ?? process.noneStarts {
            run.arrive(run.newToken(at: start), via: nil)
        }
        run.settle()
        return run.outcome
    }

    /// Applies `input` to `instance` and runs it until every token waits or ends.
    public func handle(_ input: FlowInput, on instance: FlowInstance, at now: Timestamp) throws(FlowInputError) -> FlowOutcome {
        guard instance.status == .running else {
            throw FlowInputError("the instance is \(instance.status.rawValue); it takes no more input")
        }
        var run = FlowRun(process: process, instance: instance, now: now)
        switch input {
        case .complete(let id, let variables):
            let token = try waitingToken(id, in: instance, at: [.userTask, .serviceTask], "complete")
            run.instance.variables.merge(variables) { _, new in new }
            run.cancelBoundaryTimers(of: token)
            run.leave(token, through: nil)
        case .fail(let id, let message):
            let token = try waitingToken(id, in: instance, at: [.serviceTask, .userTask], "fail")
            run.raiseIncident(token, message)
        case .timerFired(let id, let node):
            guard let token = instance.token(id) else {
                throw FlowInputError("the instance has no token \(id) (it moved on, or never existed)")
            }
            if process.nodes[token.node].id == node {
                run.leave(try waitingToken(id, in: instance, at: [.timerCatch], "fire a timer for"), through: nil)
            } else if let boundary = process.node(node), case .boundaryTimer(_, let activity, let interrupting) = process.nodes[boundary].kind,
                      activity == token.node {
                run.fireBoundary(boundary, of: id, interrupting: interrupting)
            } else {
                throw FlowInputError("token \(id) at \(process.nodes[token.node].id) has no timer \(node)")
            }
        case .messageReceived(let id, let variables):
            let token = try waitingToken(id, in: instance, at: [.messageCatch], "deliver a message to")
            run.instance.variables.merge(variables) { _, new in new }
            run.leave(token, through: nil)
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

    private enum WaitingNode { case userTask, serviceTask, timerCatch, messageCatch }

    private func waitingToken(_ id: Int, in instance: FlowInstance, at kinds: [WaitingNode], _ verb: String) throws(FlowInputError) -> Int {
        guard let token = instance.token(id) else {
            throw FlowInputError("the instance has no token \(id) (it moved on, or never existed)")
        }
        let node = process.nodes[token.node]
        let kind: WaitingNode? = switch node.kind {
        case .userTask: .userTask
        case .serviceTask: .serviceTask
        case .timerCatch: .timerCatch
        case .messageCatch: .messageCatch
        default: nil
        }
        guard token.state == .waiting, let kind, kinds.contains(kind) else {
            throw FlowInputError("token \(id) at \(node.id) is not waiting for something to \(verb)")
        }
        return id
    }
}
