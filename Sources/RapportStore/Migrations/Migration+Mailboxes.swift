extension Migrations {
    /// Mailboxes fetched over IMAP: how far each channel has read its mailbox (the mailbox's
    /// UIDVALIDITY and the last UID stored, saved in the transaction that stores the messages,
    /// so none is taken twice), and how the last fetch went.
    static let mailboxes = Migration(version: 14, name: "mail: positions in fetched mailboxes", statements: { _ in
        [
            """
            CREATE TABLE mailbox_positions (channel_id TEXT PRIMARY KEY REFERENCES channels(id), uid_validity BIGINT NOT NULL,
                last_uid BIGINT NOT NULL, fetched BIGINT NOT NULL, last_fetch_at BIGINT, last_error TEXT, updated_at BIGINT NOT NULL)
            """,
        ]
    })
}
