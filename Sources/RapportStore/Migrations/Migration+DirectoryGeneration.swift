extension Migrations {
    /// A mark that changes whenever who can be mentioned may have changed (users, departments,
    /// queues, queue members: any insert, update or delete, by any node), so a node may keep the
    /// mention directory between notes and know, with one read, when to read it again. The mark
    /// is random rather than counted, so a rolled-back change's mark never comes back.
    static let directoryGeneration = Migration(version: 21, name: "directory generation", statements: { flavor in
        let tables = ["users", "departments", "queues", "queue_members"]
        var statements = [
            "CREATE TABLE directory_generation (id BIGINT PRIMARY KEY, generation BIGINT NOT NULL)",
            "INSERT INTO directory_generation (id, generation) VALUES (1, 0)",
        ]
        switch flavor {
        case .sqlite:
            for table in tables {
                for change in ["INSERT", "UPDATE", "DELETE"] {
                    statements.append("""
                        CREATE TRIGGER \(table)_\(change.lowercased())_directory AFTER \(change) ON \(table)
                        BEGIN UPDATE directory_generation SET generation = random() WHERE id = 1; END
                        """)
                }
            }
        case .postgres:
            statements.append("""
                CREATE FUNCTION bump_directory_generation() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE directory_generation SET generation = floor(random() * 9007199254740991)::bigint WHERE id = 1;
                    RETURN NULL;
                END
                $$
                """)
            for table in tables {
                statements.append("""
                    CREATE TRIGGER \(table)_directory AFTER INSERT OR UPDATE OR DELETE ON \(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation()
                    """)
            }
        }
        return statements
    })
}
