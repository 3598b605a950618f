import RapportCore

/// A node's input and output mappings as tokens pass it: the inputs become the token's local
/// variables when it enters, the outputs are set around the node when it is done.
extension FlowRun {
    /// Evaluates the node's inputs in order (each sees those before it) into the token's locals;
    /// false after an incident when one fails.
    mutating func mapInputs(of node: FlowNode, token: Int) -> Bool {
        guard let inputs = node.mappings?.inputs, !inputs.isEmpty else { return true }
        guard let values = mapped(inputs, over: instance.variables(for: token), token: token, at: node, "input", chained: true),
              let position = index(of: token) else { return false }
        instance.tokens[position].locals.merge(values) { _, new in new }
        return true
    }

    /// Evaluates the node's outputs over what the token sees (its locals included) and sets them as
    /// the scope around the node sets variables; false after an incident when one fails.
    mutating func mapOutputs(of node: FlowNode, token: Int) -> Bool {
        guard let outputs = node.mappings?.outputs, !outputs.isEmpty, let position = index(of: token) else { return true }
        guard let values = mapped(outputs, over: instance.variables(for: token), token: token, at: node, "output") else { return false }
        instance.set(values, from: instance.tokens[position].scope)
        return true
    }

    /// Takes the variables a node is completed with (a job's or a task's, a message's): with output
    /// mappings they are the node's own until the outputs pick what goes on; without, they are set
    /// as the token sets variables.
    mutating func take(_ variables: [String: JSONValue], into token: Int) {
        guard !variables.isEmpty, let position = index(of: token) else { return }
        if process.nodes[instance.tokens[position].node].mappings?.outputs.isEmpty == false {
            instance.tokens[position].locals.merge(variables) { _, new in new }
        } else {
            instance.set(variables, from: token)
        }
    }
}
