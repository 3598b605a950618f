import RapportCore

/// Which events one reader receives: those it may read (EventVisibility) that pass its filters.
struct EventSelection: Sendable {
    var reader: EventReader
    /// A CEL expression over the CloudEvent (`filter=`).
    var expression: CompiledExpression?
    /// A CloudEvents Subscriptions API filter (`filters`); a list is parsed as `all`.
    var subscriptionFilter: SubscriptionFilter?

    init(reader: EventReader, expression: CompiledExpression? = nil, subscriptionFilter: SubscriptionFilter? = nil) {
        self.reader = reader
        self.expression = expression
        self.subscriptionFilter = subscriptionFilter
    }

    func admits(_ event: Event) -> Bool {
        EventVisibility.allows(reader, toSee: event)
            && (expression?.matches(event) ?? true)
            && (subscriptionFilter?.matches(event) ?? true)
    }
}
