extension Migrations {
    /// Interactions per channel, direction and UTC day, kept by a trigger as interactions are
    /// stored, so a dashboard's chart reads days × channels rows instead of every interaction.
    static let dailyInteractionCounts = Migration(version: 10, name: "interactions per channel per day, kept by a trigger", statements: { flavor in
        let day = "CAST(occurred_at / 86400000000 AS BIGINT)"
        var statements = [
            """
            CREATE TABLE interaction_daily_counts (
                day BIGINT NOT NULL, channel_id TEXT NOT NULL, direction TEXT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (day, channel_id, direction))
            """,
            """
            INSERT INTO interaction_daily_counts (day, channel_id, direction, n)
            SELECT \(day), channel_id, direction, COUNT(*) FROM interactions GROUP BY \(day), channel_id, direction
            """,
        ]
        let upsert = { (row: String) in
            """
            INSERT INTO interaction_daily_counts (day, channel_id, direction, n)
            VALUES (CAST(\(row).occurred_at / 86400000000 AS BIGINT), \(row).channel_id, \(row).direction, 1)
            ON CONFLICT (day, channel_id, direction) DO UPDATE SET n = interaction_daily_counts.n + 1
            """
        }
        switch flavor {
        case .sqlite:
            statements.append("CREATE TRIGGER interaction_daily_counts_insert AFTER INSERT ON interactions BEGIN\n\(upsert("NEW"));\nEND")
        case .postgres:
            statements.append("""
                CREATE FUNCTION interaction_daily_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    \(upsert("NEW"));
                    RETURN NULL;
                END
                $$
                """)
            statements.append("""
                CREATE TRIGGER interaction_daily_counts_insert AFTER INSERT ON interactions
                FOR EACH ROW EXECUTE FUNCTION interaction_daily_counts_keep()
                """)
        }
        return statements
    })
}
