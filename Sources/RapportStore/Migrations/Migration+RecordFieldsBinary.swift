extension Migrations {
    /// Records' fields in the database's binary JSON: filters and aggregates read members of every
    /// row without parsing its text each time.
    static let recordFieldsBinary = Migration(version: 25, name: "record fields in binary JSON", statements: { flavor in
        switch flavor {
        case .sqlite: ["UPDATE records SET fields = jsonb(fields)"]
        case .postgres: ["ALTER TABLE records ALTER COLUMN fields TYPE jsonb USING CAST(fields AS jsonb)"]
        }
    })
}
