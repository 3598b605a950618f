extension Migrations {
    /// Email that arrived: each message as received (raw, for what a parser cannot read today),
    /// what Rapport read from it, and its attachments. `message_id` and `thread_subject` find the
    /// thread a later message belongs to.
    static let mail = Migration(version: 12, name: "mail: received messages and attachments", statements: { flavor in
        let blob = flavor == .sqlite ? "BLOB" : "BYTEA"
        return [
            """
            CREATE TABLE mail_messages (id TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels(id),
                direction TEXT NOT NULL, interaction_id TEXT, customer_id TEXT, message_id TEXT, thread_key TEXT NOT NULL,
                thread_subject TEXT NOT NULL, from_address TEXT, envelope_from TEXT, envelope_to TEXT NOT NULL,
                subject TEXT, flags TEXT NOT NULL, details TEXT NOT NULL, size BIGINT NOT NULL, raw \(blob) NOT NULL,
                received_at BIGINT NOT NULL)
            """,
            "CREATE INDEX mail_messages_message_id ON mail_messages (channel_id, message_id)",
            "CREATE INDEX mail_messages_thread_subject ON mail_messages (channel_id, from_address, thread_subject, received_at)",
            "CREATE INDEX mail_messages_interaction ON mail_messages (interaction_id)",
            "CREATE INDEX mail_messages_customer ON mail_messages (customer_id)",
            """
            CREATE TABLE mail_attachments (id TEXT PRIMARY KEY, mail_id TEXT NOT NULL REFERENCES mail_messages(id),
                position BIGINT NOT NULL, filename TEXT, content_type TEXT NOT NULL, content_id TEXT, size BIGINT NOT NULL,
                content \(blob))
            """,
            "CREATE INDEX mail_attachments_mail ON mail_attachments (mail_id, position)",
        ]
    })
}
