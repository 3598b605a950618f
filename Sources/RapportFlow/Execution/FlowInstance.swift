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

    public init(status: FlowInstanceStatus = .running, variables: [String: JSONValue] = [:], tokens: [FlowToken] = [], nextTokenID: Int = 1) {
        self.status = status
        self.variables = variables
        self.tokens = tokens
        self.nextTokenID = nextTokenID
    }

    /// The token with this id.
    public func token(_ id: Int) -> FlowToken? {
        tokens.first { $0.id == id }
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
    /// The token of the embedded subprocess this token runs in; nil: the process itself.
    public var scope: Int?

    public init(id: Int, node: Int, state: FlowTokenState, scope: Int? = nil) {
        self.id = id
        self.node = node
        self.state = state
        self.scope = scope
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
