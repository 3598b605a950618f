extension Migrations {
    /// Pipelines: a record's stage and since when, and every stage it stood in with how long.
    static let recordStages = Migration(version: 24, name: "record stages", statements: { _ in
        [
            "ALTER TABLE records ADD COLUMN stage TEXT",
            "ALTER TABLE records ADD COLUMN stage_entered_at BIGINT",
            "CREATE INDEX records_type_stage ON records (type_key, stage)",
            """
            CREATE TABLE record_stage_history (id TEXT PRIMARY KEY, record_id TEXT NOT NULL REFERENCES records(id), stage TEXT NOT NULL,
                entered_at BIGINT NOT NULL, left_at BIGINT, actor TEXT NOT NULL)
            """,
            "CREATE INDEX record_stage_history_record ON record_stage_history (record_id, entered_at, id)",
        ]
    })
}
