/// Moves a running instance from one version of its process to another: each token to the node
/// with the same id, which must be the same kind of element in the same subprocess (and a joining
/// token's flow the flow with the same id into it). What the tokens wait for in the world (jobs,
/// tasks, timers, subscriptions) is keyed by token and node id, so it stays theirs.
public enum FlowMigration {
    public static func migrate(_ instance: FlowInstance, from old: ProcessDefinition, to new: ProcessDefinition) throws(FlowInputError) -> FlowInstance {
        guard instance.status == .running else {
            throw FlowInputError("the instance is \(instance.status.rawValue); only a running instance moves to another version")
        }
        var moved = instance
        for position in moved.tokens.indices {
            let token = moved.tokens[position]
            let was = old.nodes[token.node]
            guard let target = new.node(was.id) else {
                throw FlowInputError("token \(token.id) is at \(was.id), which version being moved to does not have")
            }
            let now = new.nodes[target]
            guard now.element == was.element else {
                throw FlowInputError("token \(token.id) is at \(was.id), a \(was.element) here and a \(now.element) there")
            }
            guard (was.loop == nil) == (now.loop == nil) else {
                throw FlowInputError("\(was.id) is a multi-instance activity in one version and not in the other")
            }
            let parentWas = was.parent.map { old.nodes[$0].id }, parentNow = now.parent.map { new.nodes[$0].id }
            guard parentWas == parentNow else {
                throw FlowInputError("\(was.id) is in \(parentWas ?? "the process") here and in \(parentNow ?? "the process") there")
            }
            moved.tokens[position].node = target
            if case .joining(let flow) = token.state {
                let flowID = old.flows[flow].id
                guard let index = new.flows.firstIndex(where: { $0.id == flowID }), new.flows[index].target == target else {
                    throw FlowInputError("token \(token.id) joins at \(was.id) by \(flowID), which does not lead there in the version being moved to")
                }
                moved.tokens[position].state = .joining(flow: index)
            }
        }
        return moved
    }
}
