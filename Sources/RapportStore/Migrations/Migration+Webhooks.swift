import RapportCore

extension Migrations {
    /// Webhook subscriptions and their deliveries (the delivery log and the retry queue).
    static let webhooks = Migration(version: 4, name: "webhook subscriptions and deliveries", statements: { _ in
        [
            """
            CREATE TABLE subscriptions (
                id TEXT PRIMARY KEY, sink TEXT NOT NULL, filters TEXT NOT NULL, description TEXT, secrets TEXT NOT NULL,
                role TEXT NOT NULL, status TEXT NOT NULL, disabled_reason TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL REFERENCES subscriptions(id), event_sequence BIGINT NOT NULL,
                event_id TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL,
                next_attempt_at BIGINT, last_status BIGINT, last_latency_ms BIGINT, last_error TEXT,
                lease_owner TEXT, lease_until BIGINT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (subscription_id, event_id))
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
            "CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, subject, event_sequence)",
        ]
    })

    /// The queue is the pending part of the delivery log: indexes over it alone keep leasing
    /// cheap however many deliveries the log has kept.
    static let webhookQueue = Migration(version: 5, name: "indexes over pending webhook deliveries", statements: { _ in
        [
            """
            CREATE INDEX webhook_deliveries_pending_order ON webhook_deliveries (subscription_id, subject, event_sequence)
            WHERE status = 'pending'
            """,
            "CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (event_sequence) WHERE status = 'pending'",
        ]
    })
}
