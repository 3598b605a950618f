extension Migrations {
    /// One-click unsubscribe links (RFC 8058) of the marketing email Rapport sends: each names the
    /// customer, the consent channel and purpose it withdraws, and the mail it was in.
    static let unsubscribeLinks = Migration(version: 31, name: "unsubscribe links", statements: { _ in
        [
            """
            CREATE TABLE unsubscribe_links (token TEXT PRIMARY KEY, customer_id TEXT NOT NULL, channel TEXT NOT NULL,
                purpose TEXT NOT NULL, mail_id TEXT NOT NULL, created_at BIGINT NOT NULL, used_at BIGINT, consent_record_id TEXT)
            """,
        ]
    })
}
