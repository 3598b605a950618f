import RapportCore

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
