import RapportCore

extension Migrations {
    /// The duplicate review queue, the trained match models, and where each consumer of the
    /// event log has read to.
    static let duplicates = Migration(version: 3, name: "duplicate candidates, match models, consumer positions", statements: { flavor in
        let real = flavor == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return [
            """
            CREATE TABLE duplicate_candidates (
                id TEXT PRIMARY KEY, first_id TEXT NOT NULL REFERENCES customers(id), second_id TEXT NOT NULL REFERENCES customers(id),
                probability \(real) NOT NULL, weight \(real) NOT NULL, explanation TEXT NOT NULL, status TEXT NOT NULL,
                merge_id TEXT, decided_by TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                UNIQUE (first_id, second_id))
            """,
            "CREATE INDEX duplicate_candidates_status ON duplicate_candidates (status, id)",
            "CREATE INDEX duplicate_candidates_second ON duplicate_candidates (second_id)",
            """
            CREATE TABLE match_models (
                version BIGINT PRIMARY KEY, model TEXT NOT NULL, summary TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE consumer_positions (
                name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
        ]
    })
}
