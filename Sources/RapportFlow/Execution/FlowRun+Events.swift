import RapportCore

/// Events: what a waiting token arms (timers, message and signal subscriptions), what happens when
/// one fires, and errors and escalations thrown to the boundary events around them.
extension FlowRun {
    /// Asks the world to tell the token when the event happens at `node`.
    mutating func arm(_ trigger: EventTrigger, token: Int, at node: FlowNode) {
        switch trigger {
        case .timer(let timer):
            actions.append(.scheduleTimer(token: token, node: node.id, due: timer.due(after: now, in: hours(for: timer))))
        case .message(let subscription):
            subscribe(token, at: node, to: subscription)
        case .signal(let name):
            actions.append(.subscribeSignal(token: token, node: node.id, signal: name))
        case .error, .escalation, .conditional:
            // Thrown inside the instance, or a condition the engine watches: nothing to ask the world for.
            break
        }
    }

    /// The opening hours `timer` counts in (nil: every minute).
    func hours(for timer: TimerDefinition) -> BusinessHours? {
        timer.businessHours.flatMap { calendars[$0] }
    }

    /// The events on the border of a waiting activity are armed when the token arrives.
    mutating func armBoundaries(of node: FlowNode, token: Int) {
        // An inner instance of a multi-instance activity: its body holds the boundary events.
        if let current = instance.token(token), isInnerInstance(current) { return }
        for boundary in node.boundaries {
            guard case .boundaryEvent(let trigger, _, _) = process.nodes[boundary].kind else { continue }
            arm(trigger, token: token, at: process.nodes[boundary])
        }
    }

    /// An event-based gateway arms the event after each of its flows.
    mutating func armEventGateway(_ node: FlowNode, token: Int) {
        for flow in node.outgoing {
            let target = process.nodes[process.flows[flow].target]
            if case .catchEvent(let trigger) = target.kind { arm(trigger, token: token, at: target) }
        }
    }

    /// The activity the token waited at is done: what its boundary events armed goes.
    mutating func disarmBoundaries(of token: Int) {
        guard let current = instance.token(token), !isInnerInstance(current) else { return }
        let armed = process.nodes[current.node].boundaries.contains { process.nodes[$0].kind.armsInTheWorld }
            || hasArmedEventSubprocesses(at: current.node)
        if armed { actions.append(.disarm(token: token)) }
    }

    /// Asks for the message; a key expression that fails or gives no text or number is an incident.
    private mutating func subscribe(_ token: Int, at node: FlowNode, to subscription: MessageSubscription) {
        var key: String?
        if let expression = subscription.correlationKey {
            switch expression.evaluate(instance.variables(for: token)) {
            case .success(.string(let text)): key = text
            case .success(.integer(let number)): key = String(number)
            case .success(let other):
                raiseIncident(token, "the correlation key `\(expression.source)` of \(node.id) gave \(other.typeName), not text or a number")
                return
            case .failure(let error):
                raiseIncident(token, "the correlation key `\(expression.source)` of \(node.id) failed: \(error)")
                return
            }
        }
        actions.append(.subscribe(token: token, node: node.id, message: subscription.name, correlationKey: key))
    }

    /// The event armed at `node` for the token happened (checked by the engine): the token leaves
    /// its catch event, the event-based gateway goes on to that event, or the boundary event fires.
    mutating func eventHappened(at node: Int, for token: Int, variables: [String: JSONValue]) {
        if case .eventSubProcessStart = process.nodes[node].kind {
            startEventSubprocess(at: node, holder: token == 0 ? nil : token, variables: variables)
            return
        }
        guard let position = index(of: token) else { return }
        let at = instance.tokens[position].node
        if at == node {
            take(variables, into: token)
            disarmBoundaries(of: token)
            leave(token, through: nil)
        } else if case .eventBasedGateway = process.nodes[at].kind {
            actions.append(.disarm(token: token))
            steps.append(FlowStep(.completed, node: process.nodes[at].id, token: token))
            instance.tokens[position].node = node
            steps.append(FlowStep(.activated, node: process.nodes[node].id, token: token))
            guard mapInputs(of: process.nodes[node], token: token) else { return }
            take(variables, into: token)
            leave(token, through: nil)
        } else if case .boundaryEvent(let trigger, _, let interrupting) = process.nodes[node].kind {
            instance.set(variables, from: token)
            fireBoundary(node, of: token, interrupting: interrupting)
            if !interrupting, trigger.rearms {
                // A non-interrupting message or signal boundary event catches each one while the activity waits.
                arm(trigger, token: token, at: process.nodes[node])
            } else if !interrupting, case .timer(let timer) = trigger, let cycle = timer.cycle, let position = index(of: token) {
                // A repeating timer: again after its interval, as many times as it repeats.
                let key = "$fired:" + process.nodes[node].id
                let fired = (instance.tokens[position].locals[key]?.intValue ?? 0) + 1
                instance.tokens[position].locals[key] = .integer(fired)
                if cycle.repetitions.map({ fired < $0 }) ?? true {
                    actions.append(.scheduleTimer(token: token, node: process.nodes[node].id, due: cycle.interval.added(to: now, in: hours(for: timer))))
                }
            }
        }
    }

    /// A boundary event fires: a new token leaves through it; interrupting, the activity's token
    /// (with everything inside it, for a subprocess) is withdrawn, otherwise the activity goes on.
    mutating func fireBoundary(_ boundary: Int, of token: Int, interrupting: Bool) {
        guard let position = index(of: token) else { return }
        let scope = instance.tokens[position].scope
        if interrupting {
            // The activity's token ends there; a new one leaves (so nothing meant for the
            // activity, a late completion, can move the boundary's token).
            withdraw(token)
        }
        arrive(newToken(at: boundary, scope: scope), via: nil)
    }

    /// Throws error `code` from the token: the nearest catcher around it takes over — an error
    /// boundary event on the token's activity, then an error event subprocess of the scope it runs
    /// in, then the boundary events of that scope's subprocess, and so on out; none: an incident.
    mutating func throwError(_ code: String, message: String?, from token: Int) {
        var holder: Int? = token
        while let current = holder, let position = index(of: current) {
            let found = instance.tokens[position]
            if isInnerInstance(found) {
                // The body of its multi-instance activity holds the boundary events.
                holder = found.scope
                continue
            }
            if let (boundary, _) = catcher(of: process.nodes[found.node], for: code, error: true) {
                fireBoundary(boundary, of: current, interrupting: true)
                return
            }
            if let (start, _) = eventSubprocessCatcher(in: found.scope, for: code, error: true) {
                startEventSubprocess(at: start, holder: found.scope, variables: [:])
                return
            }
            holder = found.scope
        }
        if instance.called {
            // Nothing here catches it: the instance ends, and the call activity that called it has it thrown.
            withdrawAll()
            instance.status = .terminated
            actions.append(.throwToCaller(code: code, message: message))
            return
        }
        let why = message.map { ": \($0)" } ?? ""
        raiseIncident(token, "the error \(code)\(why) is caught by no error boundary event or event subprocess around it")
    }

    /// Raises escalation `code` from the token to the nearest escalation catcher around it (event
    /// subprocesses of its scope, then the boundary events of the scope's subprocess, and out).
    /// Returns whether the token goes on (false: an interrupting one ended it).
    /// `fromCalled`: raised in the instance the token's call activity called, so the call
    /// activity's own boundary events catch it too. Nothing catching it, an instance a call
    /// activity started raises it at that call activity in turn (`FlowAction.escalateToCaller`).
    mutating func escalate(_ code: String, from token: Int, fromCalled: Bool = false) -> Bool {
        var holder: Int? = token
        while let current = holder, let position = index(of: current) {
            let found = instance.tokens[position]
            if isInnerInstance(found) {
                holder = found.scope
                continue
            }
            if current != token || fromCalled, let (boundary, interrupting) = catcher(of: process.nodes[found.node], for: code, error: false) {
                fireBoundary(boundary, of: current, interrupting: interrupting)
                return !interrupting
            }
            if let (start, interrupting) = eventSubprocessCatcher(in: found.scope, for: code, error: false) {
                startEventSubprocess(at: start, holder: found.scope, variables: [:])
                return !interrupting
            }
            holder = found.scope
        }
        if instance.called { actions.append(.escalateToCaller(code: code)) }
        return true
    }

    /// The error (or escalation) boundary event of `node` for `code`: one naming the code, else one
    /// catching every code.
    private func catcher(of node: FlowNode, for code: String, error: Bool) -> (Int, interrupting: Bool)? {
        Self.pick(node.boundaries.compactMap { boundary in
            guard case .boundaryEvent(let trigger, _, let interrupting) = process.nodes[boundary].kind else { return nil }
            return (boundary, trigger, interrupting)
        }, for: code, error: error)
    }

    /// Among catching events (position, trigger, interrupting), the error (or escalation) one naming
    /// `code`, else the first one catching every code.
    static func pick(_ candidates: [(Int, EventTrigger, Bool)], for code: String, error: Bool) -> (Int, interrupting: Bool)? {
        var catchAll: (Int, Bool)?
        for (position, trigger, interrupting) in candidates {
            let caught: String??
            switch trigger {
            case .error(let code) where error: caught = .some(code)
            case .escalation(let code) where !error: caught = .some(code)
            default: caught = .none
            }
            guard let caught else { continue }
            if caught == code { return (position, interrupting) }
            if caught == nil, catchAll == nil { catchAll = (position, interrupting) }
        }
        return catchAll
    }
}

extension EventTrigger {
    /// Whether a non-interrupting boundary event of this kind waits again after it fired.
    var rearms: Bool {
        switch self {
        case .message, .signal: true
        case .timer, .error, .escalation, .conditional: false
        }
    }
}

extension FlowNodeKind {
    /// Whether this is a boundary event that arms a timer or a subscription in the world.
    var armsInTheWorld: Bool {
        guard case .boundaryEvent(let trigger, _, _) = self else { return false }
        return trigger.waitsForTheWorld
    }
}
