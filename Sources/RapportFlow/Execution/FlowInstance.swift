import RapportCore

/// The state of one running process instance: where its tokens are and its variables. A value:
/// the engine returns a new one for every input, and the store keeps it.
public struct FlowInstance: Sendable, Equatable {
    public var status: FlowInstanceStatus
    public var variables: [String: JSONValue]
    /// The tokens still in the process, oldest first.
    public var tokens: [FlowToken]
    /// The id the next token gets.
    public var nextTokenID: Int
    /// Started by a call activity: an error nothing inside catches ends it and is thrown at the
    /// call activity (`FlowAction.throwToCaller`) instead of stopping it in an incident.
    public var called: Bool

    public init(status: FlowInstanceStatus = .running, variables: [String: JSONValue] = [:], tokens: [FlowToken] = [], nextTokenID: Int = 1,
                called: Bool = false) {
        self.status = status
        self.variables = variables
        self.tokens = tokens
        self.nextTokenID = nextTokenID
        self.called = called
    }

    /// The token with this id.
    public func token(_ id: Int) -> FlowToken? {
        tokens.first { $0.id == id }
    }

    /// The variables a token sees: the instance's, under the local ones of the scopes it runs in
    /// (an inner instance of a multi-instance activity has its element and `loopCounter`), the
    /// nearest winning. Names starting with `$` are the engine's own and are left out.
    public func variables(for token: Int) -> [String: JSONValue] {
        var seen = variables
        for scope in chain(from: token).reversed() {
            for (name, value) in scope.locals where !name.hasPrefix("$") { seen[name] = value }
        }
        return seen
    }

    /// The token and the tokens of the scopes around it, nearest first.
    func chain(from token: Int) -> [FlowToken] {
        var found: [FlowToken] = []
        var next: Int? = token
        while let id = next, let current = self.token(id), found.count <= tokens.count {
            found.append(current)
            next = current.scope
        }
        return found
    }

    /// Sets variables as a token does: each in the nearest scope that has it locally, else in the
    /// instance's.
    mutating func set(_ values: [String: JSONValue], from token: Int?) {
        let scopes = token.map { chain(from: $0).map(\.id) } ?? []
        for (name, value) in values {
            if let holder = scopes.first(where: { id in self.token(id)?.locals[name] != nil }),
               let position = tokens.firstIndex(where: { $0.id == holder }) {
                tokens[position].locals[name] = value
            } else {
                variables[name] = value
            }
        }
    }
}

public enum FlowInstanceStatus: String, Sendable, Equatable {
    case running
    /// Every token reached an end event.
    case completed
    /// A terminate end event of the process ended every token.
    case terminated
    /// Cancelled from outside.
    case cancelled
}

/// A position of the instance: a node, and what it waits for there.
public struct FlowToken: Sendable, Equatable {
    public var id: Int
    /// The node's position in the process.
    public var node: Int
    public var state: FlowTokenState
    /// The token of the embedded subprocess (or multi-instance activity) this token runs in; nil:
    /// the process itself.
    public var scope: Int?
    /// Variables of this token's scope alone (an inner instance's element and `loopCounter`, a
    /// multi-instance body's counters); they go when the token leaves its node.
    public var locals: [String: JSONValue]

    public init(id: Int, node: Int, state: FlowTokenState, scope: Int? = nil, locals: [String: JSONValue] = [:]) {
        self.id = id
        self.node = node
        self.state = state
        self.scope = scope
        self.locals = locals
    }
}

public enum FlowTokenState: Sendable, Equatable {
    /// At a task, event or event-based gateway until the matching input arrives; at a subprocess
    /// while tokens run inside it.
    case waiting
    /// Arrived at a joining gateway through this flow, waiting for the others.
    case joining(flow: Int)
    /// Stopped by a failure (a condition that cannot be evaluated, a job out of retries) until retried.
    case incident(String)
}
