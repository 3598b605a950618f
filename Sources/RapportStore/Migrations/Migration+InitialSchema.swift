import RapportCore

extension Migrations {
    /// Organization, customers with identities, interactions, the event log and idempotency records.
    static let initialSchema = Migration(version: 1, name: "initial schema", statements: { flavor in
        // SQLite makes INTEGER PRIMARY KEY the rowid (fast appends); PostgreSQL wants BIGINT.
        let sequenceKey = flavor == .sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY"
        let blob = flavor == .sqlite ? "BLOB" : "BYTEA"
        return [
            """
            CREATE TABLE departments (
                id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
                department_id TEXT REFERENCES departments(id), active BIGINT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL, department_id TEXT REFERENCES departments(id),
                created_at BIGINT NOT NULL, revoked_at BIGINT)
            """,
            """
            CREATE TABLE channels (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, settings TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE customers (
                id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,
                given_name TEXT, family_name TEXT, company TEXT, lifecycle_stage TEXT, owner_id TEXT,
                addresses TEXT NOT NULL, attributes TEXT NOT NULL, version BIGINT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT)
            """,
            "CREATE INDEX customers_name_key ON customers (name_key)",
            "CREATE INDEX customers_updated_at ON customers (updated_at)",
            """
            CREATE TABLE identities (
                kind TEXT NOT NULL, value TEXT NOT NULL, customer_id TEXT NOT NULL REFERENCES customers(id),
                position BIGINT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (kind, value))
            """,
            "CREATE INDEX identities_customer ON identities (customer_id)",
            """
            CREATE TABLE interactions (
                id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                channel_id TEXT NOT NULL REFERENCES channels(id), direction TEXT NOT NULL, kind TEXT NOT NULL,
                subject TEXT, body TEXT, metadata TEXT NOT NULL, occurred_at BIGINT NOT NULL,
                external_id TEXT, created_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX interactions_external_id ON interactions (channel_id, external_id)",
            "CREATE INDEX interactions_timeline ON interactions (customer_id, occurred_at, id)",
            """
            CREATE TABLE events (
                sequence \(sequenceKey), id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, subject TEXT NOT NULL,
                time BIGINT NOT NULL, data TEXT NOT NULL)
            """,
            "CREATE INDEX events_subject ON events (subject, sequence)",
            """
            CREATE TABLE idempotency_keys (
                principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status BIGINT NOT NULL,
                etag TEXT, location TEXT, body \(blob) NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (principal, key))
            """,
        ]
    }, seed: { tx in
        for seed in Department.seeds {
            try await DepartmentRows.insert(key: seed.key, name: seed.name, description: seed.description, in: tx)
        }
    })
}
