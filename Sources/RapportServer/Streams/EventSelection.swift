import RapportCore

/// Which events one reader receives: those its role may read that pass its filters.
struct EventSelection: Sendable {
    var role: Role
    /// A CEL expression over the CloudEvent (`filter=`).
    var expression: CompiledExpression?
    /// A CloudEvents Subscriptions API filter (`filters`); a list is parsed as `all`.
    var subscriptionFilter: SubscriptionFilter?

    init(role: Role, expression: CompiledExpression? = nil, subscriptionFilter: SubscriptionFilter? = nil) {
        self.role = role
        self.expression = expression
        self.subscriptionFilter = subscriptionFilter
    }

    func admits(_ event: Event) -> Bool {
        EventVisibility.allows(role, toSee: event.type)
            && (expression?.matches(event) ?? true)
            && (subscriptionFilter?.matches(event) ?? true)
    }
}
