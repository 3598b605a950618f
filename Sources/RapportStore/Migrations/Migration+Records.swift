extension Migrations {
    /// Business records of types defined at run time: each type's definition, its records (with the
    /// customer they are about, for the timeline), and the values of the type's unique fields.
    static let records = Migration(version: 23, name: "record types and records", statements: { _ in
        [
            """
            CREATE TABLE record_types (key TEXT PRIMARY KEY, definition TEXT NOT NULL, version BIGINT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE records (id TEXT PRIMARY KEY, type_key TEXT NOT NULL REFERENCES record_types(key),
                customer_id TEXT REFERENCES customers(id), fields TEXT NOT NULL, version BIGINT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT)
            """,
            "CREATE INDEX records_type ON records (type_key, id)",
            "CREATE INDEX records_customer ON records (customer_id, created_at, id)",
            """
            CREATE TABLE record_unique_values (type_key TEXT NOT NULL, field_key TEXT NOT NULL, value TEXT NOT NULL,
                record_id TEXT NOT NULL REFERENCES records(id), PRIMARY KEY (type_key, field_key, value))
            """,
        ]
    })
}
