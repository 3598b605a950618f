import RapportCore

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
