import RapportCore

/// Event subprocesses. While a scope runs (the process, or an embedded subprocess's token), the
/// timer, message and signal start events of its event subprocesses are armed for the scope's
/// token (0 for the process); error and escalation ones catch what is thrown inside. When one
/// starts, an interrupting one withdraws the scope's other tokens first; the scope completes when
/// no token is left in it, the event subprocess's included.
extension FlowRun {
    /// Arms the start events of the event subprocesses in the subprocess at `scope` (nil: the
    /// process), for the scope's token `holder` (nil: the process).
    mutating func armEventSubprocesses(in scope: Int?, holder: Int?) {
        for sub in process.eventSubprocesses(in: scope) {
            guard case .eventSubProcess(let start) = process.nodes[sub].kind,
                  case .eventSubProcessStart(let trigger, _) = process.nodes[start].kind else { continue }
            arm(trigger, token: holder ?? 0, at: process.nodes[start])
        }
    }

    /// Whether the subprocess at `node` has event subprocesses that wait for the world.
    func hasArmedEventSubprocesses(at node: Int) -> Bool {
        process.eventSubprocesses(in: node).contains { sub in
            guard case .eventSubProcess(let start) = process.nodes[sub].kind,
                  case .eventSubProcessStart(let trigger, _) = process.nodes[start].kind else { return false }
            return trigger.waitsForTheWorld
        }
    }

    /// The event subprocess whose start event is at `start` begins in the scope of `holder` (nil:
    /// the process), with the event's variables.
    mutating func startEventSubprocess(at start: Int, holder: Int?, variables: [String: JSONValue]) {
        guard case .eventSubProcessStart(let trigger, let interrupting) = process.nodes[start].kind,
              let sub = process.nodes[start].parent else { return }
        instance.set(variables, from: holder)
        let scopeNode = holder.flatMap { instance.token($0)?.node }
        if interrupting {
            if let holder { withdrawTokens(in: holder) } else { withdrawAll() }
            let armed = process.eventSubprocesses(in: scopeNode).compactMap { other -> String? in
                guard case .eventSubProcess(let otherStart) = process.nodes[other].kind,
                      case .eventSubProcessStart(let otherTrigger, _) = process.nodes[otherStart].kind, otherTrigger.waitsForTheWorld else { return nil }
                return process.nodes[otherStart].id
            }
            if !armed.isEmpty { actions.append(.disarmEvents(token: holder ?? 0, nodes: armed)) }
        } else if trigger.rearms {
            arm(trigger, token: holder ?? 0, at: process.nodes[start])
        }
        arrive(newToken(at: sub, scope: holder), via: nil)
    }

    /// The error (or escalation) event subprocess of the scope whose token is `scope` (nil: the
    /// process) for `code`: one naming the code, else one catching every code.
    func eventSubprocessCatcher(in scope: Int?, for code: String, error: Bool) -> (Int, interrupting: Bool)? {
        let scopeNode: Int?
        if let scope {
            guard let holder = instance.token(scope) else { return nil }
            scopeNode = holder.node
        } else {
            scopeNode = nil
        }
        return Self.pick(process.eventSubprocesses(in: scopeNode).compactMap { sub in
            guard case .eventSubProcess(let start) = process.nodes[sub].kind,
                  case .eventSubProcessStart(let trigger, let interrupting) = process.nodes[start].kind else { return nil }
            return (start, trigger, interrupting)
        }, for: code, error: error)
    }
}

extension EventTrigger {
    /// Whether it is armed in the world (a timer or subscription), not thrown inside the instance.
    var waitsForTheWorld: Bool {
        switch self {
        case .timer, .message, .signal: true
        case .error, .escalation, .conditional: false
        }
    }
}
