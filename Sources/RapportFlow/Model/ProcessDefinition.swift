import RapportCore

/// One executable process of a BPMN document: its flow nodes and sequence flows, addressed by
/// position so that running an instance compares integers, not ids.
public struct ProcessDefinition: Sendable {
    /// The process element's `id` (the key instances are started by).
    public let id: String
    public let name: String?
    public let nodes: [FlowNode]
    public let flows: [SequenceFlow]
    /// The process's none start events, where `start` puts the first token.
    public let noneStarts: [Int]
    /// The start events that CRM events matching their condition start (conditional start events).
    public let eventStarts: [Int]
    /// The message start events: a message of that name starts an instance there.
    public let messageStarts: [Int]
    /// The signal start events: a signal of that name broadcast starts an instance there.
    public let signalStarts: [Int]
    /// The timer start events.
    public let timerStarts: [Int]
    /// Whether some catch or boundary event waits for a condition over the variables.
    let hasConditionalEvents: Bool
    /// Whose opening hours its timers count in: the caller gives the engine each one's hours.
    public let businessHours: Set<BusinessHoursReference>
    private let nodeIndex: [String: Int]
    /// For each node, the nodes a token there can still arrive at (itself excluded unless on a cycle).
    let reachable: [NodeSet]
    /// The event subprocesses of each scope, by the position of the subprocess around them (-1:
    /// the process itself).
    private let eventSubprocessesByScope: [Int: [Int]]

    init(id: String, name: String?, nodes: [FlowNode], flows: [SequenceFlow]) {
        self.id = id
        self.name = name
        self.nodes = nodes
        self.flows = flows
        noneStarts = nodes.indices.filter { if case .startEvent = nodes[$0].kind { return nodes[$0].parent == nil } else { return false } }
        eventStarts = nodes.indices.filter { if case .eventStart = nodes[$0].kind { return true } else { return false } }
        messageStarts = nodes.indices.filter { if case .messageStart = nodes[$0].kind { return true } else { return false } }
        signalStarts = nodes.indices.filter { if case .signalStart = nodes[$0].kind { return true } else { return false } }
        timerStarts = nodes.indices.filter { if case .timerStart = nodes[$0].kind { return true } else { return false } }
        hasConditionalEvents = nodes.contains { node in
            switch node.kind {
            case .catchEvent(.conditional), .boundaryEvent(.conditional, _, _): true
            default: false
            }
        }
        businessHours = Set(nodes.compactMap { $0.kind.timer?.businessHours })
        nodeIndex = Dictionary(nodes.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        reachable = Self.reachability(nodes: nodes, flows: flows)
        var byScope: [Int: [Int]] = [:]
        for position in nodes.indices {
            if case .eventSubProcess = nodes[position].kind { byScope[nodes[position].parent ?? -1, default: []].append(position) }
        }
        eventSubprocessesByScope = byScope
    }

    /// The event subprocesses directly in the subprocess at `scope` (nil: in the process).
    public func eventSubprocesses(in scope: Int?) -> [Int] {
        eventSubprocessesByScope[scope ?? -1] ?? []
    }

    /// The position of the node with this id.
    public func node(_ id: String) -> Int? { nodeIndex[id] }

    /// The message start event for messages of this name.
    public func messageStart(named name: String) -> Int? {
        messageStarts.first { if case .messageStart(name) = nodes[$0].kind { return true } else { return false } }
    }

    /// The signal start event for signals of this name.
    public func signalStart(named name: String) -> Int? {
        signalStarts.first { if case .signalStart(name) = nodes[$0].kind { return true } else { return false } }
    }

    private static func reachability(nodes: [FlowNode], flows: [SequenceFlow]) -> [NodeSet] {
        nodes.indices.map { start in
            var seen = NodeSet(count: nodes.count)
            // A token waiting at an activity may also leave through its boundary events; one at a
            // link throw event goes on at its catch.
            func successors(_ node: Int) -> [Int] {
                var next = nodes[node].outgoing.map { flows[$0].target } + nodes[node].boundaries
                if case .linkThrow(let target) = nodes[node].kind { next.append(target) }
                return next
            }
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

/// An event, gateway or activity of a process. A class: the engine reads nodes at every step, and
/// a reference is one retain where a copy of all this would be a dozen.
public final class FlowNode: Sendable {
    public let id: String
    public let name: String?
    /// The BPMN element it was read from (`userTask`, `exclusiveGateway`, …).
    public let element: String
    public let kind: FlowNodeKind
    /// Positions in `ProcessDefinition.flows`, in document order.
    public let incoming: [Int]
    public let outgoing: [Int]
    /// The boundary events attached to this activity, by position.
    public let boundaries: [Int]
    /// The line of the element in the BPMN file.
    public let line: Int
    /// The embedded subprocess this node is in; nil: the process itself.
    public let parent: Int?
    /// For a multi-instance activity: how many times it runs, over what, and when it is done.
    public let loop: MultiInstanceLoop?
    /// Variables made for the node when a token enters it, and those it passes on when done.
    public let mappings: NodeMappings?

    init(id: String, name: String?, element: String, kind: FlowNodeKind, incoming: [Int], outgoing: [Int], boundaries: [Int] = [],
         line: Int, parent: Int?, loop: MultiInstanceLoop? = nil, mappings: NodeMappings? = nil) {
        self.id = id
        self.name = name
        self.element = element
        self.kind = kind
        self.incoming = incoming
        self.outgoing = outgoing
        self.boundaries = boundaries
        self.line = line
        self.parent = parent
        self.loop = loop
        self.mappings = mappings
    }
}

/// A node's input and output mappings (Camunda 8's `zeebe:ioMapping`, or `rapport:ioMapping`):
/// each input is a local variable of the node while its token is there (an inner instance of a
/// multi-instance activity has its own); with outputs, what the node is completed with (a job's or
/// a task's variables, a message's) stays its own and only the outputs are set around it.
public struct NodeMappings: Sendable {
    public let inputs: [VariableMapping]
    public let outputs: [VariableMapping]
}

/// A multi-instance activity's loop: one inner instance per element of a collection (or a number of
/// them), all at once or one after another, until all are done or the completion condition holds.
public struct MultiInstanceLoop: Sendable {
    public let sequential: Bool
    /// CEL giving the list to run over (`inputCollection`); or nil with `cardinality`.
    public let collection: FlowExpression?
    /// CEL giving how many instances run (`loopCardinality`), when there is no collection.
    public let cardinality: FlowExpression?
    /// The local variable each inner instance sees its element as (`inputElement`).
    public let element: String?
    /// The variable the outputs are collected in, in the collection's order (`outputCollection`).
    public let outputCollection: String?
    /// CEL evaluated in each inner instance when it is done, giving its entry in the output.
    public let outputElement: FlowExpression?
    /// CEL evaluated after each inner instance is done: when it holds, the others are withdrawn
    /// and the activity goes on (`nrOfCompletedInstances`, `nrOfInstances`, … are there to read).
    public let completionCondition: FlowExpression?
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
    /// A none start event (of the process, or of an embedded subprocess).
    case startEvent
    /// A conditional start event: a CRM event on the log for which the CEL condition (over the
    /// event: `type`, `subject`, `data`, …) holds starts an instance here.
    case eventStart(EventCondition)
    /// A message start event: a message of this name starts an instance here.
    case messageStart(String)
    /// A signal start event: a signal of this name starts an instance here.
    case signalStart(String)
    /// A timer start event: the newest version starts an instance here when the timer is due (a
    /// cycle: each time).
    case timerStart(TimerDefinition)
    case endEvent(EndEventBehaviour)
    /// Takes the first outgoing flow whose condition holds, else the default; a merge passes every token on.
    case exclusiveGateway(defaultFlow: Int?)
    /// Takes every outgoing flow whose condition holds (else the default); joins the tokens that can still come.
    case inclusiveGateway(defaultFlow: Int?)
    /// Forks to every outgoing flow; joins one token from each incoming flow.
    case parallelGateway
    /// Waits for the first of the events its outgoing flows lead to (timers, messages, signals)
    /// and goes on there; the others are withdrawn.
    case eventBasedGateway
    /// A task, manual task or none intermediate throw event: nothing to wait for.
    case passThrough
    /// An intermediate throw event that broadcasts a signal or raises an escalation, then goes on.
    case throwEvent(ThrownEvent)
    /// A link throw event: the token goes on at the link catch event of the same name.
    case linkThrow(target: Int)
    /// A link catch event: where a link throw event's token goes on.
    case linkCatch
    /// Assigns variables from CEL expressions, in order.
    case scriptTask([ScriptAssignment])
    /// A business rule task with a decision table of its own: evaluated at once, its result in the variable.
    case decisionTask(DecisionTable, resultVariable: String)
    /// Waits for a job worker to complete a job of this type (a service, send or business rule
    /// task, or a message throw or end event given a job type).
    case serviceTask(JobDefinition)
    /// A service task Rapport does itself, in the instance's transaction: adds a note, opens a
    /// handoff, changes a record or a customer (`rapport.note`, `rapport.handoff`,
    /// `rapport.record.update`, `rapport.customer.update`), with its inputs mapped from the variables.
    case builtInTask(BuiltInAction)
    /// Waits for a person to complete a task.
    case userTask(UserTaskDefinition)
    /// Waits for a timer, a message or a signal (an intermediate catch event, or a receive task).
    case catchEvent(EventTrigger)
    /// An event on the border of an activity that waits (a task, or a subprocess while it runs):
    /// when it happens, a token leaves here — instead of the activity's (interrupting) or besides it.
    case boundaryEvent(EventTrigger, attachedTo: Int, interrupting: Bool)
    /// An embedded subprocess: a token arriving starts its inner flow at its none start event;
    /// it goes on when no token is left inside.
    case subProcess(start: Int)
    /// A call activity: starts an instance of another process and waits until it ends.
    case callActivity(CallDefinition)
    /// An event subprocess: not on any flow; while the (sub)process around it runs, the event of
    /// its start event starts it there — interrupting that scope or beside it.
    case eventSubProcess(start: Int)
    /// The start event of an event subprocess, with what starts it.
    case eventSubProcessStart(EventTrigger, interrupting: Bool)
}

/// What a call activity calls, and the variables it passes in and takes back.
public struct CallDefinition: Sendable {
    /// The key (BPMN process id) of the process called; its newest version runs.
    public let processKey: String
    /// The variables the called instance starts with; nil: every variable the token sees.
    public let inputs: [VariableMapping]?
    /// The variables taken back when it ends, over its variables; nil: all of them.
    public let outputs: [VariableMapping]?
}

/// Work a service task asks Rapport itself to do.
public struct BuiltInAction: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A note on the instance's customer: `body` (text), `pinned` (bool, optional).
        case note = "rapport.note"
        /// A handoff about the instance's customer: `reason` (text), `kind` (a handoff kind,
        /// optional: `other`), `from_department` and `to_department` (id or key; a kind's own route
        /// when absent), `sla_minutes` (optional).
        case handoff = "rapport.handoff"
        /// Changes a record: `record` (its id), `fields` (an object; null clears a field), `stage`.
        case updateRecord = "rapport.record.update"
        /// Changes a customer (the instance's, or `customer`): `attributes` (merged; null removes
        /// one), `lifecycle_stage`, `company`, `owner_id` — as `PATCH /v1/customers/{id}` takes them.
        case updateCustomer = "rapport.customer.update"
        /// Emails the instance's customer from an email channel: `channel` (its id), `subject`,
        /// `text`, `to` (an address; the customer's first email address when absent). Queued in the
        /// instance's transaction (the mail queue sends it, at least once) and on the customer's timeline.
        case email = "rapport.email"
        /// Writes `text` (and `subject`) to the customer: into `conversation` through its channel
        /// (a threaded email, a chat message, an outbound message), or on `channel` to the
        /// instance's customer (an outbound message the channel's integration delivers).
        case message = "rapport.message"
        /// Calls a webhook: POSTs `body` (JSON) to the sink of the webhook subscription `webhook`,
        /// signed with its secret (Standard Webhooks), the job's id as `webhook-id` on every attempt.
        case webhook = "rapport.webhook"
        /// Publishes `body` (JSON) to RabbitMQ with `routing_key`, to `exchange` (the server's
        /// publishing exchange when absent), persistent and mandatory, the job's id as message id.
        case amqp = "rapport.amqp"

        /// Done outside the instance's transaction, at least once, by Rapport's own job worker:
        /// the token waits for it as for a job, retried with backoff, then an incident.
        public var isExternal: Bool { self == .webhook || self == .amqp }

        /// The inputs it needs, and those it may take.
        public var required: Set<String> {
            switch self {
            case .note: ["body"]
            case .handoff: ["reason"]
            case .updateRecord: ["record"]
            case .updateCustomer: []
            case .email: ["channel", "subject", "text"]
            case .message: ["text"]
            case .webhook: ["webhook"]
            case .amqp: ["routing_key"]
            }
        }

        public var allowed: Set<String> {
            switch self {
            case .note: ["body", "pinned"]
            case .handoff: ["reason", "kind", "from_department", "to_department", "sla_minutes"]
            case .updateRecord: ["record", "fields", "stage"]
            case .updateCustomer: ["customer", "attributes", "lifecycle_stage", "company", "owner_id"]
            case .email: ["channel", "subject", "text", "to"]
            case .message: ["conversation", "channel", "text", "subject"]
            case .webhook: ["webhook", "body"]
            case .amqp: ["routing_key", "body", "exchange"]
            }
        }
    }

    public let kind: Kind
    public let inputs: [VariableMapping]
    /// The variable the id of what it made or changed is put in, if any.
    public let resultVariable: String?
}

/// `target = source`: a variable set from a CEL expression.
public struct VariableMapping: Sendable {
    public let target: String
    public let source: FlowExpression
}

extension FlowNodeKind {
    /// The timer a timer start, catch, boundary or event subprocess start event waits for.
    public var timer: TimerDefinition? {
        switch self {
        case .timerStart(let timer), .catchEvent(.timer(let timer)), .boundaryEvent(.timer(let timer), _, _),
             .eventSubProcessStart(.timer(let timer), _):
            timer
        default: nil
        }
    }

    /// The kind of event a node is or waits for, as a modeler draws its marker (`timer`, `message`,
    /// `signal`, `error`, `escalation`, `terminate`, `link`, `conditional`); nil for none events,
    /// activities and gateways.
    public var eventName: String? {
        switch self {
        case .eventStart: "conditional"
        case .messageStart: "message"
        case .signalStart: "signal"
        case .timerStart: "timer"
        case .endEvent(.terminate): "terminate"
        case .endEvent(.error): "error"
        case .endEvent(.escalation), .throwEvent(.escalation): "escalation"
        case .endEvent(.signal), .throwEvent(.signal): "signal"
        case .linkThrow, .linkCatch: "link"
        case .catchEvent(let trigger), .boundaryEvent(let trigger, _, _): trigger.name
        default: nil
        }
    }
}

/// What an event waits for.
public enum EventTrigger: Sendable {
    case timer(TimerDefinition)
    case message(MessageSubscription)
    case signal(String)
    /// An error thrown inside the activity (an error end event, or a job worker's error) with this
    /// code; nil catches any.
    case error(code: String?)
    /// An escalation raised inside the subprocess with this code; nil catches any.
    case escalation(code: String?)
    /// A condition over the process variables (CEL): it happens when the condition holds as the
    /// token arrives, or comes to hold after a change of the variables.
    case conditional(FlowExpression)

    /// The name a modeler would give it.
    public var name: String {
        switch self {
        case .timer: "timer"
        case .message: "message"
        case .signal: "signal"
        case .error: "error"
        case .escalation: "escalation"
        case .conditional: "conditional"
        }
    }
}

/// What an intermediate throw event throws.
public enum ThrownEvent: Sendable, Equatable {
    case signal(String)
    case escalation(String)
}

public enum EndEventBehaviour: Sendable, Equatable {
    /// Ends the token that arrives.
    case none
    /// Ends every token of the instance (inside a subprocess: of the subprocess, which then goes on).
    case terminate
    /// Throws the error with this code to the nearest error boundary event around it.
    case error(String)
    /// Raises the escalation with this code to the nearest escalation boundary event around it, then ends.
    case escalation(String)
    /// Broadcasts the signal, then ends.
    case signal(String)
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

/// Who a user task is for, and what they fill in to complete it.
public struct UserTaskDefinition: Sendable, Equatable {
    public let assignee: String?
    public let candidateGroups: [String]
    /// How long after the task opens it is due.
    public let dueAfter: ISODuration?
    /// The form the person fills in; its fields are the variables the task is completed with.
    public let form: TaskForm?

    public init(assignee: String?, candidateGroups: [String], dueAfter: ISODuration?, form: TaskForm? = nil) {
        self.assignee = assignee
        self.candidateGroups = candidateGroups
        self.dueAfter = dueAfter
        self.form = form
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.assignee == rhs.assignee && lhs.candidateGroups == rhs.candidateGroups && lhs.dueAfter == rhs.dueAfter
            && lhs.form?.fields.map(\.key) == rhs.form?.fields.map(\.key)
    }
}
