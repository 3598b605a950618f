extension Event {
    /// The message-queue routing key `<entity>.<action>`: the type without its `rapport.` prefix
    /// (`rapport.interaction.created` → `interaction.created`), so topic bindings such as
    /// `customer.*` or `*.created` select by entity or action.
    public var routingKey: String {
        let prefix = "rapport."
        return type.hasPrefix(prefix) ? String(type.dropFirst(prefix.count)) : type
    }
}
