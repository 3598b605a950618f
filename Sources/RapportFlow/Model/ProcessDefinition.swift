import RapportCore

/// One executable process of a BPMN document: its flow nodes and sequence flows, addressed by
/// position so that running an instance compares integers, not ids.
public struct ProcessDefinition: Sendable {
    /// The process element's `id` (the key instances are started by).
    public let id: String
    public let name: String?
    public let nodes: [FlowNode]
    public let flows: [SequenceFlow]
    /// The none start events, where `start` puts the first token.
    public let noneStarts: [Int]
    /// The start events that CRM events matching their condition start (conditional start events).
    public let eventStarts: [Int]
    private let nodeIndex: [String: Int]
    /// For each node, the nodes a token there can still arrive at (itself excluded unless on a cycle).
    let reachable: [NodeSet]

    init(id: String, name: String?, nodes: [FlowNode], flows: [SequenceFlow]) {
        self.id = id
        self.name = name
        self.nodes = nodes
        self.flows = flows
        noneStarts = nodes.indices.filter { if case .startEvent = nodes[$0].kind { return true } else { return false } }
        eventStarts = nodes.indices.filter { if case .eventStart = nodes[$0].kind { return true } else { return false } }
        nodeIndex = Dictionary(nodes.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        reachable = Self.reachability(nodes: nodes, flows: flows)
    }

    /// The position of the node with this id.
    public func node(_ id: String) -> Int? { nodeIndex[id] }

    private static func reachability(nodes: [FlowNode], flows: [SequenceFlow]) -> [NodeSet] {
        nodes.indices.map { start in
            var seen = NodeSet(count: nodes.count)
            // A token waiting at an activity may also leave through its boundary events.
            func successors(_ node: Int) -> [Int] { nodes[node].outgoing.map { flows[$0].target } + nodes[node].boundaries }
            var pending = successors(start)
            while let node = pending.popLast() {
                guard !seen.contains(node) else { continue }
                seen.insert(node)
                pending.append(contentsOf: successors(node))
            }
            return seen
        }
    }
}

/// A fixed-size set of node positions.
struct NodeSet: Sendable {
    private var words: [UInt64]

    init(count: Int) {
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    func contains(_ node: Int) -> Bool { words[node >> 6] & (1 << UInt64(node & 63)) != 0 }

    mutating func insert(_ node: Int) { words[node >> 6] |= 1 << UInt64(node & 63) }
}

/// An event, gateway or activity of a process.
public struct FlowNode: Sendable {
    public let id: String
    public let name: String?
    /// The BPMN element it was read from (`userTask`, `exclusiveGateway`, …).
    public let element: String
    public let kind: FlowNodeKind
    /// Positions in `ProcessDefinition.flows`, in document order.
    public internal(set) var incoming: [Int]
    public internal(set) var outgoing: [Int]
    /// The boundary events attached to this activity, by position.
    public internal(set) var boundaries: [Int] = []
    /// The line of the element in the BPMN file.
    public let line: Int
}

/// A connection from one node to another, taken when its condition (if any) holds.
public struct SequenceFlow: Sendable {
    public let id: String
    public let name: String?
    public let source: Int
    public let target: Int
    public let condition: FlowExpression?
    public let line: Int
}

/// An expression of the model with the text it was compiled from.
public struct FlowExpression: Sendable {
    public let source: String
    public let compiled: CompiledExpression

    func evaluate(_ variables: [String: JSONValue]) -> Result<JSONValue, ExpressionEvaluationError> {
        compiled.evaluate(VariableActivation(variables))
    }
}

/// A condition over CRM events, with the text it was compiled from.
public struct EventCondition: Sendable {
    public let source: String
    public let compiled: CompiledExpression

    public func matches(_ event: Event) -> Bool { compiled.matches(event) }
}

/// What a node does when a token arrives.
public enum FlowNodeKind: Sendable {
    /// A none start event.
    case startEvent
    /// A conditional start event: a CRM event on the log for which the CEL condition (over the
    /// event: `type`, `subject`, `data`, …) holds starts an instance here.
    case eventStart(EventCondition)
    case endEvent(EndEventBehaviour)
    /// Takes the first outgoing flow whose condition holds, else the default; a merge passes every token on.
    case exclusiveGateway(defaultFlow: Int?)
    /// Takes every outgoing flow whose condition holds (else the default); joins the tokens that can still come.
    case inclusiveGateway(defaultFlow: Int?)
    /// Forks to every outgoing flow; joins one token from each incoming flow.
    case parallelGateway
    /// A task, manual task or none intermediate throw event: nothing to wait for.
    case passThrough
    /// Assigns variables from CEL expressions, in order.
    case scriptTask([ScriptAssignment])
    /// Waits for a job worker (or a built-in action) to complete a job of this type.
    case serviceTask(JobDefinition)
    /// Waits for a person to complete a task.
    case userTask(UserTaskDefinition)
    /// Waits until the timer is due.
    case timerCatch(TimerDefinition)
    /// Waits for a message (a message catch event or a receive task): one sent to the API with
    /// the same name and correlation key, or a CRM event whose type is the name and whose subject
    /// (a customer id) is the key.
    case messageCatch(MessageSubscription)
    /// A timer on the border of a waiting activity (an SLA): when due while the activity waits, a
    /// token leaves here — instead of the activity's (interrupting) or besides it.
    case boundaryTimer(TimerDefinition, attachedTo: Int, interrupting: Bool)
}

public enum EndEventBehaviour: Sendable, Equatable {
    /// Ends the token that arrives.
    case none
    /// Ends every token of the instance.
    case terminate
}

/// The message a token waits for.
public struct MessageSubscription: Sendable {
    /// The message's name (a CRM event's type to wait for that event).
    public let name: String
    /// CEL over the variables giving the key a message must carry; nil: the instance's customer id.
    public let correlationKey: FlowExpression?
}

/// `variable = expression`, one line of a script task.
public struct ScriptAssignment: Sendable {
    public let variable: String
    public let expression: FlowExpression
}

/// The work a service task hands to job workers.
public struct JobDefinition: Sendable, Equatable {
    /// Workers fetch jobs by this type.
    public let type: String
    /// Attempts before a failure becomes an incident.
    public let retries: Int

    public init(type: String, retries: Int) {
        self.type = type
        self.retries = retries
    }
}

/// Who a user task is for.
public struct UserTaskDefinition: Sendable, Equatable {
    public let assignee: String?
    public let candidateGroups: [String]
    /// How long after the task opens it is due.
    public let dueAfter: ISODuration?

    public init(assignee: String?, candidateGroups: [String], dueAfter: ISODuration?) {
        self.assignee = assignee
        self.candidateGroups = candidateGroups
        self.dueAfter = dueAfter
    }
}
