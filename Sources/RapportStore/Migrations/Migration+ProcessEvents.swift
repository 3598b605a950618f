extension Migrations {
    /// Events of processes beyond one per token: a token waiting at an event-based gateway, or at
    /// an activity with message boundary events, waits for several messages at once (one row per
    /// event node), and tokens wait for signals, which are broadcast by name. A subscription made
    /// while a CRM event was handled takes the events after that one on the log (`after_sequence`),
    /// so that one committed meanwhile is not missed; others take events from their `created_at`.
/// Instances started by a call activity know the instance and token that called them; timer start
/// events wait in a table of their own.
    static let processEvents = Migration(version: 29, name: "process events", statements: { _ in
        [
            """
            CREATE TABLE process_message_subscriptions (instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL,
                message TEXT NOT NULL, correlation_key TEXT NOT NULL, created_at BIGINT NOT NULL, after_sequence BIGINT,
                PRIMARY KEY (instance_id, token, node))
            """,
            """
            INSERT INTO process_message_subscriptions (instance_id, token, node, message, correlation_key, created_at)
            SELECT instance_id, token, node, message, correlation_key, created_at FROM process_subscriptions
            """,
            "DROP TABLE process_subscriptions",
            "CREATE INDEX process_message_subscriptions_message ON process_message_subscriptions (message, correlation_key)",
            """
            CREATE TABLE process_signal_subscriptions (instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL,
                signal TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (instance_id, token, node))
            """,
            "CREATE INDEX process_signal_subscriptions_signal ON process_signal_subscriptions (signal, instance_id, token)",
            // Call activities: the instance and token a called instance reports back to.
            "ALTER TABLE process_instances ADD COLUMN parent_instance_id TEXT",
            "ALTER TABLE process_instances ADD COLUMN parent_token BIGINT",
            "CREATE INDEX process_instances_parent ON process_instances (parent_instance_id, parent_token)",
            // Timer start events: when the newest version of a process starts an instance next.
            """
            CREATE TABLE process_start_timers (definition_id TEXT NOT NULL, node TEXT NOT NULL, due_at BIGINT NOT NULL,
                fired BIGINT NOT NULL, PRIMARY KEY (definition_id, node))
            """,
            "CREATE INDEX process_start_timers_due ON process_start_timers (due_at)",
        ]
    })
}
