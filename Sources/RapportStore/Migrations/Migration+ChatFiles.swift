extension Migrations {
    /// Files sent in the web chat, by the visitor or an agent: kept with the message (an
    /// interaction) they came with, in its visitor's thread.
    static let chatFiles = Migration(version: 17, name: "chat: files sent in the web chat", statements: { flavor in
        let blob = flavor == .sqlite ? "BLOB" : "BYTEA"
        return [
            """
            CREATE TABLE chat_files (id TEXT PRIMARY KEY, interaction_id TEXT NOT NULL,
                channel_id TEXT NOT NULL REFERENCES channels(id), thread_key TEXT NOT NULL, position BIGINT NOT NULL,
                filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, content \(blob) NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX chat_files_interaction ON chat_files (interaction_id, position)",
        ]
    })
}
