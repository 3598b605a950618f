/// Embedded subprocesses: their tokens, how they complete, and withdrawing tokens with everything
/// inside them.
extension FlowRun {
    /// The subprocess whose token is `scope` goes on when no token is left inside it.
    mutating func completeScopeIfDone(_ scope: Int?) {
        guard let scope, index(of: scope) != nil, !instance.tokens.contains(where: { $0.scope == scope }) else { return }
        disarmBoundaries(of: scope)
        leave(scope, through: nil)
    }

    /// Ends the token and the tokens inside it (a subprocess's), withdrawing what each waited for.
    mutating func withdraw(_ token: Int) {
        withdrawTokens(in: token)
        guard let position = index(of: token) else { return }
        let node = process.nodes[instance.tokens[position].node]
        if node.waitsForTheWorld {
            // Also after an incident: the activity's boundary events still wait.
            actions.append(.withdraw(token: token, node: node.id))
        }
        steps.append(FlowStep(.withdrawn, node: node.id, token: token))
        instance.tokens.remove(at: position)
    }

    /// Withdraws every token inside the subprocess whose token is `scope`.
    mutating func withdrawTokens(in scope: Int) {
        for inner in instance.tokens.filter({ $0.scope == scope }).map(\.id) {
            withdraw(inner)
        }
    }

    /// Ends every token, withdrawing what waiting ones waited for.
    mutating func withdrawAll() {
        for outer in instance.tokens.filter({ $0.scope == nil }).map(\.id) {
            withdraw(outer)
        }
        // Tokens of a scope that is gone (never left by the engine; kept safe for stored states).
        for stray in instance.tokens.map(\.id) {
            withdraw(stray)
        }
    }
}

extension FlowNode {
    /// Whether a token here may have a job, a task, timers or subscriptions out in the world.
    var waitsForTheWorld: Bool {
        switch kind {
        case .serviceTask, .builtInTask, .userTask, .catchEvent, .eventBasedGateway, .subProcess, .callActivity: true
        default: false
        }
    }
}
