extension Migrations {
    /// Segments and their members, kept current by the segment monitor from the position this
    /// migration sets (changes before segments existed have nothing to change).
    static let segments = Migration(version: 26, name: "segments", statements: { _ in
        [
            """
            CREATE TABLE segments (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, filter TEXT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX segments_name ON segments (name)",
            """
            CREATE TABLE segment_members (segment_id TEXT NOT NULL REFERENCES segments(id), customer_id TEXT NOT NULL,
                entered_at BIGINT NOT NULL, PRIMARY KEY (segment_id, customer_id))
            """,
            "CREATE INDEX segment_members_customer ON segment_members (customer_id)",
            """
            INSERT INTO consumer_positions (name, position, updated_at)
            SELECT 'segments', COALESCE(MAX(sequence), 0), 0 FROM events WHERE true
            ON CONFLICT (name) DO NOTHING
            """,
        ]
    })
}
