extension Migrations {
    /// Meetings with customers: each as its invitations describe it, with the answers that came
    /// back; and the private calendar feed links of users (their tokens' hashes).
    static let meetings = Migration(version: 16, name: "meetings: scheduled meetings and calendar feeds", statements: { _ in
        [
            """
            CREATE TABLE meetings (id TEXT PRIMARY KEY, uid TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, channel_id TEXT NOT NULL,
                organizer_user_id TEXT, record TEXT NOT NULL, start_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX meetings_customer ON meetings (customer_id, start_at)",
            "CREATE TABLE calendar_feeds (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id)",
        ]
    })
}
