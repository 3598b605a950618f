import RapportCore

/// What happens to an instance from outside.
public enum FlowInput: Sendable, Equatable {
    /// The user task or job the token waits at is done; its variables are merged into the instance's.
    case complete(token: Int, variables: [String: JSONValue])
    /// What the token waits for failed for good (a job out of retries, a user task no one can be
    /// given): an incident.
    case fail(token: Int, message: String)
    /// The job (or user task) the token waits at ended in a business error with this code: the
    /// nearest error boundary event that catches it takes over, else an incident. The variables
    /// are merged into the instance's.
    case throwError(token: Int, code: String, message: String?, variables: [String: JSONValue])
    /// A timer of the token is due. `node` is the event it was set for: the timer catch event the
    /// token waits at, a boundary event of the activity it waits at, or an event after the
    /// event-based gateway it waits at.
    case timerFired(token: Int, node: String)
    /// A message the token waits for arrived (at `node`, as for timers); its variables are merged
    /// into the instance's.
    case messageReceived(token: Int, node: String, variables: [String: JSONValue])
    /// A signal the token waits for was broadcast (at `node`, as for timers); its variables are
    /// merged into the instance's.
    case signalReceived(token: Int, node: String, variables: [String: JSONValue])
    /// The instance the token's call activity started ended (completed or terminated) with these
    /// variables; the call activity's outputs are taken from them.
    case calledProcessEnded(token: Int, variables: [String: JSONValue])
    /// The instance the token's call activity called raised an escalation nothing in it caught:
    /// the call activity's escalation boundary event (or the scopes around it) may catch it.
    case escalation(token: Int, code: String)
    /// An incident was fixed: the token enters its node again.
    case retry(token: Int)
    /// Variables set from outside (to fix an incident, or as an admin).
    case setVariables([String: JSONValue])
    /// Ends every token; what they waited for is withdrawn.
    case cancel
}

/// Why an input does not apply to an instance (a stale or duplicate delivery, or a wrong token).
public struct FlowInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// What the engine asks the world to do after an input; the instance already counts it as asked.
public enum FlowAction: Sendable, Equatable {
    /// Offer a job of this type to workers; they complete or fail it for the token.
    case activateJob(token: Int, node: String, job: JobDefinition)
    /// Do a built-in action with these inputs in the instance's transaction, then deliver
    /// `complete` (with the result variable) or `fail` for the token.
    case perform(token: Int, node: String, action: BuiltInAction.Kind, inputs: [String: JSONValue], resultVariable: String?)
    /// Open a task for a person.
    case openUserTask(token: Int, node: String, name: String?, task: UserTaskDefinition)
    /// Deliver `messageReceived` for the token when a message of this name and key comes; a nil key
    /// stands for the instance's customer.
    case subscribe(token: Int, node: String, message: String, correlationKey: String?)
    /// Start an instance of the process with these variables for the token's call activity, and
    /// deliver `calledProcessEnded` when it ends.
    case callProcess(token: Int, node: String, process: String, variables: [String: JSONValue])
    /// Deliver `signalReceived` for the token when a signal of this name is broadcast.
    case subscribeSignal(token: Int, node: String, signal: String)
    /// Broadcast the signal: to every token waiting for it (in this instance and others) and to
    /// the processes it starts.
    case broadcastSignal(String)
    /// Deliver `timerFired` for the token at this moment. Token 0 stands for the process's scope
    /// (the event subprocesses of the process wait there), here and in subscriptions.
    case scheduleTimer(token: Int, node: String, due: Timestamp)
    /// Withdraw the job, task, timers, subscriptions and called instance the token waited for
    /// (ended by terminate, cancel or an interrupting boundary event).
    case withdraw(token: Int, node: String)
    /// Drop the token's timers and message and signal subscriptions: the activity they guard is
    /// done, or the event-based gateway they raced for has its winner.
    case disarm(token: Int)
    /// Drop the token's timers and subscriptions for these event nodes only (the start events of
    /// the event subprocesses an interrupting one ended). Token 0 stands for the process's scope.
    case disarmEvents(token: Int, nodes: [String])
    /// Tell an admin the token is stuck until retried.
    case raiseIncident(token: Int, node: String, message: String)
    /// The called instance ended with an error nothing in it caught: throw it at the call
    /// activity that called it (`FlowInput.throwError` on the caller's token).
    case throwToCaller(code: String, message: String?)
    /// An escalation nothing in the called instance caught: raise it at the call activity that
    /// called it (`FlowInput.escalation` on the caller's token); the called instance goes on.
    case escalateToCaller(code: String)
}

/// One step of an instance's history, in the order they happened.
public struct FlowStep: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A token arrived at the node.
        case activated
        /// The token left the node (or ended there).
        case completed
        /// A token was stopped by a failure.
        case incident
        /// A waiting token was ended from outside or by a terminate end event.
        case withdrawn
    }

    public var kind: Kind
    public var node: String
    public var token: Int

    public init(_ kind: Kind, node: String, token: Int) {
        self.kind = kind
        self.node = node
        self.token = token
    }
}

/// An instance after an input, with what to do and what happened.
public struct FlowOutcome: Sendable, Equatable {
    public var instance: FlowInstance
    public var actions: [FlowAction]
    public var steps: [FlowStep]
}
