import RapportCore

extension Migrations {
    /// Field versions on customers, merges with what undo needs, settings, offline sync receipts.
    static let mergesAndVersions = Migration(version: 2, name: "field versions, merges, settings, sync", statements: { _ in
        [
            "ALTER TABLE customers ADD COLUMN field_versions TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE customers ADD COLUMN merged_into TEXT",
            "CREATE INDEX customers_merged_into ON customers (merged_into)",
            """
            CREATE TABLE merges (
                id TEXT PRIMARY KEY, survivor_id TEXT NOT NULL REFERENCES customers(id), absorbed_ids TEXT NOT NULL,
                snapshot TEXT NOT NULL, survivor_version BIGINT NOT NULL, actor TEXT NOT NULL,
                created_at BIGINT NOT NULL, undone_at BIGINT)
            """,
            "CREATE INDEX merges_survivor ON merges (survivor_id)",
            """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE sync_receipts (
                channel_id TEXT NOT NULL, change_id TEXT NOT NULL, customer_id TEXT, outcome TEXT NOT NULL,
                created_at BIGINT NOT NULL, PRIMARY KEY (channel_id, change_id))
            """,
        ]
    })
}
