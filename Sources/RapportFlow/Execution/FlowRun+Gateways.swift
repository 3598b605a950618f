/// Choosing flows out of exclusive and inclusive gateways, and joining tokens.
extension FlowRun {
    mutating func chooseExclusive(_ node: FlowNode, defaultFlow: Int?, token: Int) -> Int? {
        for flow in node.outgoing where flow != defaultFlow {
            guard let condition = process.flows[flow].condition else { continue }
            guard let holds = evaluate(condition, of: flow, token: token) else { return nil }
            if holds { return flow }
        }
        if let defaultFlow { return defaultFlow }
        raiseIncident(token, "no condition of the flows out of \(node.id) holds, and it has no default flow")
        return nil
    }

    mutating func chooseInclusive(_ node: FlowNode, defaultFlow: Int?, token: Int) -> [Int]? {
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

    /// The tokens joining at `node` in `scope`, one per incoming flow that has one.
    private func joining(at node: Int, in scope: Int?) -> [Int?] {
        process.nodes[node].incoming.map { flow in
            instance.tokens.first { $0.node == node && $0.scope == scope && $0.state == .joining(flow: flow) }?.id
        }
    }

    /// Continues with one token when each incoming flow of the parallel join has one waiting.
    mutating func joinParallel(at node: Int, continuing token: Int) {
        guard let position = index(of: token) else { return }
        let consumed = joining(at: node, in: instance.tokens[position].scope)
        guard !consumed.contains(nil) else { return }
        merge(consumed.compactMap { $0 }, at: node, continuing: token)
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

    /// Fires each inclusive join that has a token waiting and that no other token of its scope can
    /// still reach (a token in a subprocess inside that scope counts by its subprocess's token).
    mutating func fireInclusiveJoins() -> Bool {
        guard instance.status == .running else { return false }
        var fired = false
        for candidate in instance.tokens.map(\.id) {
            guard let token = instance.token(candidate), case .joining = token.state,
                  case .inclusiveGateway(let defaultFlow) = process.nodes[token.node].kind else { continue }
            let join = token.node
            let blocked = instance.tokens.contains { other in
                guard other.scope == token.scope else { return false }
                if other.node == join, case .joining = other.state { return false }
                return process.reachable[other.node].contains(join)
            }
            if blocked { continue }
            let consumed = joining(at: join, in: token.scope).compactMap { $0 }
            let continuing = consumed[0]
            merge(consumed, at: join, continuing: continuing)
            if let chosen = chooseInclusive(process.nodes[join], defaultFlow: defaultFlow, token: continuing) {
                leave(continuing, through: chosen)
            }
            fired = true
        }
        return fired
    }
}
