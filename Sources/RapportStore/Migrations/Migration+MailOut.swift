extension Migrations {
    /// Email going out: the queue of messages for the relay (each a `mail_messages` row, kept as
    /// it is sent, so a retry sends the same bytes with the same Message-ID), and the addresses
    /// that bounced.
    ///
    /// `handing_over_at` is set, durably, just before the end of a message goes to the relay: a
    /// message found with it set and its lease lapsed may be at the relay, and is not sent again.
    static let mailOut = Migration(version: 13, name: "mail: the outgoing queue and undeliverable addresses", statements: { _ in
        [
            """
            CREATE TABLE mail_outbox (id TEXT PRIMARY KEY REFERENCES mail_messages(id), conversation_id TEXT,
                envelope_from TEXT NOT NULL, recipients TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL,
                next_attempt_at BIGINT, lease_owner TEXT, lease_until BIGINT, handing_over_at BIGINT, last_note TEXT,
                sent_at BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)",
            """
            CREATE TABLE mail_undeliverable (address TEXT PRIMARY KEY, reason TEXT NOT NULL, mail_id TEXT,
                marked_at BIGINT NOT NULL)
            """,
        ]
    })
}
