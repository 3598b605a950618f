import RapportCore

/// Conditional intermediate and boundary events: conditions over the process variables that the
/// engine watches. After every input, once the tokens have moved, each token waiting at a
/// conditional catch event (or at an event-based gateway before one) whose condition holds goes
/// on, and each conditional boundary event of a waiting activity whose condition holds fires — a
/// non-interrupting one each time its condition turns from false to true. A condition that cannot
/// be evaluated (a variable not set yet) does not hold.
extension FlowRun {
    /// Fires what holds now; whether anything fired (the tokens then move again).
    mutating func fireConditions() -> Bool {
        guard process.hasConditionalEvents else { return false }
        var fired = false
        for id in instance.tokens.map(\.id) {
            guard let token = instance.token(id), token.state == .waiting else { continue }
            let node = process.nodes[token.node]
            if case .catchEvent(.conditional(let condition)) = node.kind {
                if holds(condition, for: id) {
                    eventHappened(at: token.node, for: id, variables: [:])
                    fired = true
                }
                continue
            }
            if case .eventBasedGateway = node.kind {
                for flow in node.outgoing {
                    let target = process.flows[flow].target
                    guard case .catchEvent(.conditional(let condition)) = process.nodes[target].kind, holds(condition, for: id) else { continue }
                    eventHappened(at: target, for: id, variables: [:])
                    fired = true
                    break
                }
                continue
            }
            if isInnerInstance(token) { continue }
            for boundary in node.boundaries {
                guard case .boundaryEvent(.conditional(let condition), _, let interrupting) = process.nodes[boundary].kind,
                      let position = index(of: id) else { continue }
                let now = holds(condition, for: id)
                let key = "$condition:" + process.nodes[boundary].id
                let before = instance.tokens[position].locals[key] == .bool(true)
                if !interrupting { instance.tokens[position].locals[key] = .bool(now) }
                guard now, interrupting || !before else { continue }
                eventHappened(at: boundary, for: id, variables: [:])
                fired = true
                if interrupting { break }
            }
        }
        return fired
    }

    private func holds(_ condition: FlowExpression, for token: Int) -> Bool {
        if case .success(.bool(true)) = condition.evaluate(instance.variables(for: token)) { return true }
        return false
    }
}
