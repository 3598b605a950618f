extension Migrations {
    /// Phone calls reported by a telephony provider: each call as it progressed, and the
    /// provider's event ids already applied (a retried delivery is applied once).
    static let calls = Migration(version: 15, name: "calls: phone calls and the provider events applied", statements: { _ in
        [
            """
            CREATE TABLE calls (id TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels(id), provider_call_id TEXT NOT NULL,
                customer_id TEXT NOT NULL, record TEXT NOT NULL, status TEXT NOT NULL, started_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX calls_provider ON calls (channel_id, provider_call_id)",
            "CREATE INDEX calls_customer ON calls (customer_id, started_at)",
            """
            CREATE TABLE call_events (channel_id TEXT NOT NULL, event_id TEXT NOT NULL, call_id TEXT NOT NULL, received_at BIGINT NOT NULL,
                PRIMARY KEY (channel_id, event_id))
            """,
        ]
    })
}
