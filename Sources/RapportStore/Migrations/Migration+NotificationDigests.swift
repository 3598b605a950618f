extension Migrations {
    /// Email digests of the unread notifications: each user's schedule beside their kinds, and how
    /// far the digests sent to them have covered.
    static let notificationDigests = Migration(version: 22, name: "notification digests", statements: { _ in
        [
            "ALTER TABLE notification_preferences ADD COLUMN digest TEXT",
            """
            CREATE TABLE notification_digests (user_id TEXT PRIMARY KEY REFERENCES users(id), covered_until BIGINT NOT NULL,
                last_mail_id TEXT, updated_at BIGINT NOT NULL)
            """,
        ]
    })
}
