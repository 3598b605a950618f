import RapportCore

/// What happens to an instance from outside.
public enum FlowInput: Sendable, Equatable {
    /// The user task or job the token waits at is done; its variables are merged into the instance's.
    case complete(token: Int, variables: [String: JSONValue])
    /// The job (or user task) the token waits at failed for good: an incident.
    case fail(token: Int, message: String)
    /// A timer of the token is due: the timer catch event it waits at, or a boundary timer (by the
    /// boundary event's id) of the activity it waits at.
    case timerFired(token: Int, node: String)
    /// The message the token waits for arrived; its variables are merged into the instance's.
    case messageReceived(token: Int, variables: [String: JSONValue])
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
    /// Open a task for a person.
    case openUserTask(token: Int, node: String, name: String?, task: UserTaskDefinition)
    /// Deliver `messageReceived` for the token when a message of this name and key comes; a nil key
    /// stands for the instance's customer.
    case subscribe(token: Int, node: String, message: String, correlationKey: String?)
    /// Deliver `timerFired` for the token at this moment.
    case scheduleTimer(token: Int, node: String, due: Timestamp)
    /// Withdraw the job, task or timers the token waited for (ended by terminate, cancel or an
    /// interrupting boundary event).
    case withdraw(token: Int, node: String)
    /// Drop the token's boundary timers: the activity they guard is done.
    case cancelTimers(token: Int)
    /// Tell an admin the token is stuck until retried.
    case raiseIncident(token: Int, node: String, message: String)
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
