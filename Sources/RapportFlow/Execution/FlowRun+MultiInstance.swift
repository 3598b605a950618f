import RapportCore

/// Multi-instance activities. The token that arrives is the body: it waits at the activity with the
/// loop's counters as locals and holds the boundary events; each inner instance is a token at the
/// same activity in the body's scope, with its element and `loopCounter` as locals, that does the
/// activity's work. When an inner instance is done its output is gathered; when all are (or the
/// completion condition holds) the body goes on.
extension FlowRun {
    /// Whether the token is an inner instance: its scope is a body at the same node.
    func isInnerInstance(_ token: FlowToken) -> Bool {
        guard let scope = token.scope, let holder = instance.token(scope) else { return false }
        return holder.node == token.node && process.nodes[token.node].loop != nil
    }

    /// The token arrived at a multi-instance activity: it becomes the body and starts the first
    /// inner instance (sequential) or all of them (parallel); none to run, it goes on at once.
    mutating func startLoop(_ loop: MultiInstanceLoop, body token: Int, at node: FlowNode) {
        let context = instance.variables(for: token)
        var items: [JSONValue]?
        var count = 0
        if let collection = loop.collection {
            switch collection.evaluate(context) {
            case .success(.array(let list)):
                items = list
                count = list.count
            case .success(let other):
                raiseIncident(token, "the input collection `\(collection.source)` of \(node.id) gave \(other.typeName), not a list")
                return
            case .failure(let error):
                raiseIncident(token, "the input collection `\(collection.source)` of \(node.id) failed: \(error)")
                return
            }
        } else if let cardinality = loop.cardinality {
            switch cardinality.evaluate(context) {
            case .success(.integer(let number)) where (0...10_000).contains(number):
                count = Int(number)
            case .success(let other):
                raiseIncident(token, "the loop cardinality `\(cardinality.source)` of \(node.id) gave \(other), not a whole number from 0 to 10000")
                return
            case .failure(let error):
                raiseIncident(token, "the loop cardinality `\(cardinality.source)` of \(node.id) failed: \(error)")
                return
            }
        }
        guard count <= 10_000 else {
            raiseIncident(token, "the input collection of \(node.id) has \(count) elements; a multi-instance activity runs at most 10000")
            return
        }
        guard let position = index(of: token) else { return }
        var locals: [String: JSONValue] = [
            "nrOfInstances": .integer(Int64(count)), "nrOfCompletedInstances": 0,
            "nrOfActiveInstances": .integer(Int64(loop.sequential ? min(count, 1) : count)),
        ]
        if let items { locals["$items"] = .array(items) }
        if loop.outputCollection != nil { locals["$output"] = .array(Array(repeating: .null, count: count)) }
        instance.tokens[position].locals = locals
        guard count > 0 else {
            finishLoop(body: token, loop: loop)
            return
        }
        armBoundaries(of: node, token: token)
        for index in 0..<(loop.sequential ? 1 : count) {
            startInner(index, of: token, loop: loop, at: node)
        }
    }

    private mutating func startInner(_ index: Int, of body: Int, loop: MultiInstanceLoop, at node: FlowNode) {
        guard let holder = instance.token(body) else { return }
        let inner = newToken(at: holder.node, scope: body)
        var locals: [String: JSONValue] = ["loopCounter": .integer(Int64(index + 1))]
        if let name = loop.element, case .array(let items)? = holder.locals["$items"], index < items.count {
            locals[name] = items[index]
        }
        if let position = self.index(of: inner) { instance.tokens[position].locals = locals }
        arrive(inner, via: nil)
    }

    /// An inner instance is done: its output gathered, the counters moved on, then the next inner
    /// instance (sequential), or the body goes on when all are done or the completion condition holds.
    mutating func completeInner(_ token: Int, body: Int) {
        guard let position = index(of: token), let bodyPosition = index(of: body),
              let loop = process.nodes[instance.tokens[position].node].loop else { return }
        let node = process.nodes[instance.tokens[position].node]
        let context = instance.variables(for: token)
        let counter = Int(instance.tokens[position].locals["loopCounter"]?.intValue ?? 1)
        if let outputElement = loop.outputElement {
            switch outputElement.evaluate(context) {
            case .success(let value):
                if case .array(var output)? = instance.tokens[bodyPosition].locals["$output"], counter - 1 < output.count {
                    output[counter - 1] = value
                    instance.tokens[bodyPosition].locals["$output"] = .array(output)
                }
            case .failure(let error):
                raiseIncident(token, "the output element `\(outputElement.source)` of \(node.id) failed: \(error)")
                return
            }
        }
        steps.append(FlowStep(.completed, node: node.id, token: token))
        instance.tokens.remove(at: position)
        guard let holder = index(of: body) else { return }
        let total = Int(instance.tokens[holder].locals["nrOfInstances"]?.intValue ?? 0)
        let completed = Int(instance.tokens[holder].locals["nrOfCompletedInstances"]?.intValue ?? 0) + 1
        let running = instance.tokens.filter { $0.scope == body }.count
        instance.tokens[holder].locals["nrOfCompletedInstances"] = .integer(Int64(completed))
        if let condition = loop.completionCondition {
            var seen = context
            seen["nrOfCompletedInstances"] = .integer(Int64(completed))
            seen["nrOfActiveInstances"] = .integer(Int64(running))
            switch condition.evaluate(seen) {
            case .success(.bool(true)):
                withdrawTokens(in: body)
                finishLoop(body: body, loop: loop)
                return
            case .success(.bool(false)):
                break
            case .success(let other):
                raiseIncident(body, "the completion condition `\(condition.source)` of \(node.id) gave \(other.typeName), not a bool")
                return
            case .failure(let error):
                raiseIncident(body, "the completion condition `\(condition.source)` of \(node.id) failed: \(error)")
                return
            }
        }
        if completed >= total {
            finishLoop(body: body, loop: loop)
        } else if loop.sequential {
            instance.tokens[holder].locals["nrOfActiveInstances"] = 1
            startInner(completed, of: body, loop: loop, at: node)
        } else {
            instance.tokens[holder].locals["nrOfActiveInstances"] = .integer(Int64(running))
        }
    }

    /// The body goes on, the gathered outputs set as the output collection.
    private mutating func finishLoop(body: Int, loop: MultiInstanceLoop) {
        guard let position = index(of: body) else { return }
        if let name = loop.outputCollection {
            let output = instance.tokens[position].locals["$output"] ?? .array([])
            instance.set([name: output], from: instance.tokens[position].scope)
        }
        instance.tokens[position].locals = [:]
        disarmBoundaries(of: body)
        leave(body, through: nil, loopDone: true)
    }
}
