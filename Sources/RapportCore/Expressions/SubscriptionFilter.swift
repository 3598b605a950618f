/// A CloudEvents context attribute that the `exact`, `prefix` and `suffix` filter dialects can test.
public enum CloudEventAttribute: String, Sendable, CaseIterable {
    case id, source, type, subject, time, datacontenttype, specversion, sequence

    /// The attribute's string value on `event`, as in its CloudEvents form.
    public func value(of event: Event) -> String {
        switch self {
        case .id: return event.id
        case .source: return Event.source
        case .type: return event.type
        case .subject: return event.subject
        case .time: return event.time.rfc3339
        case .datacontenttype: return "application/json"
        case .specversion: return "1.0"
        case .sequence: return Event.sequenceText(event.sequence)
        }
    }
}

/// One attribute test of an `exact`, `prefix` or `suffix` filter.
public struct AttributeCondition: Sendable, Equatable {
    public var attribute: CloudEventAttribute
    public var value: String

    public init(_ attribute: CloudEventAttribute, _ value: String) {
        self.attribute = attribute
        self.value = value
    }
}

/// A CloudEvents Subscriptions API filter, plus the `cel` dialect holding a compiled expression.
///
/// Parse with `SubscriptionFilter.parse(_:path:)` and test events with `matches(_:)`.
public indirect enum SubscriptionFilter: Sendable {
    /// Every listed attribute equals its value.
    case exact([AttributeCondition])
    /// Every listed attribute starts with its value.
    case prefix([AttributeCondition])
    /// Every listed attribute ends with its value.
    case suffix([AttributeCondition])
    /// Every nested filter matches (an empty list matches everything).
    case all([SubscriptionFilter])
    /// At least one nested filter matches.
    case any([SubscriptionFilter])
    /// The nested filter does not match.
    case not(SubscriptionFilter)
    /// The CEL expression evaluates to `true` (errors mean no match).
    case cel(CompiledExpression)

    /// True when `event` passes the filter.
    public func matches(_ event: Event) -> Bool {
        var errors = 0
        return matches(event, errors: &errors)
    }

    /// True when `event` passes the filter, adding one to `errors` for each `cel` filter whose evaluation
    /// produced an error (that `cel` filter then counts as not matching, so an enclosing `not` inverts it).
    public func matches(_ event: Event, errors: inout Int) -> Bool {
        switch self {
        case .exact(let conditions):
            return conditions.allSatisfy { $0.attribute.value(of: event) == $0.value }
        case .prefix(let conditions):
            return conditions.allSatisfy { $0.attribute.value(of: event).utf8.starts(with: $0.value.utf8) }
        case .suffix(let conditions):
            return conditions.allSatisfy { $0.attribute.value(of: event).utf8.reversed().starts(with: $0.value.utf8.reversed()) }
        case .all(let filters):
            for filter in filters where !filter.matches(event, errors: &errors) { return false }
            return true
        case .any(let filters):
            for filter in filters where filter.matches(event, errors: &errors) { return true }
            return false
        case .not(let filter):
            return !filter.matches(event, errors: &errors)
        case .cel(let expression):
            return expression.matches(event, errors: &errors)
        }
    }

    /// Parses a filter object, or an array of filters that must all match, reporting every problem by JSON path
    /// (e.g. `filters[1].prefix.type: must be a string`, `filters[2].cel: 1:9: no such variable …`).
    public static func parse(_ value: JSONValue, path: String = "filters", limits: ExpressionLimits = .standard) throws(ValidationFailure) -> SubscriptionFilter {
        var parser = SubscriptionFilterParser(limits: limits)
        let filter: SubscriptionFilter?
        if case .array(let elements) = value {
            filter = parser.list(elements, path: path).map(SubscriptionFilter.all)
        } else {
            filter = parser.filter(value, path: path, depth: 0)
        }
        guard let filter, parser.issues.isEmpty else { throw ValidationFailure(parser.issues) }
        return filter
    }
}
