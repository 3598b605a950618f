/// Supplies root-variable values during evaluation.
///
/// `index` is the variable's position in the `ExpressionEnvironment` the expression was compiled
/// with; `name` is its declared name. Return nil for a variable that has no value (an error value results).
public protocol ExpressionActivation {
    func value(ofVariable index: Int, named name: String) -> JSONValue?
}

/// An activation backed by a name-to-value table.
public struct VariableActivation: ExpressionActivation, Sendable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) {
        self.values = values
    }

    public func value(ofVariable index: Int, named name: String) -> JSONValue? {
        values[name]
    }
}

/// An activation exposing an `Event` as its CloudEvents attributes plus `data` (see `ExpressionEnvironment.events`).
public struct EventActivation: ExpressionActivation, Sendable {
    public var event: Event

    public init(_ event: Event) {
        self.event = event
    }

    public func value(ofVariable index: Int, named name: String) -> JSONValue? {
        switch name {
        case "type": return .string(event.type)
        case "data": return event.data
        case "subject": return .string(event.subject)
        case "id": return .string(event.id)
        case "source": return .string(Event.source)
        case "sequence": return .integer(event.sequence)
        case "time": return .string(event.time.rfc3339)
        case "datacontenttype": return "application/json"
        case "specversion": return "1.0"
        default: return nil
        }
    }
}
