extension Migrations {
    /// Jobs Rapport's own worker does for a process (a webhook call) carry what to do: the action's
    /// inputs, evaluated when the token arrived, and the variable its result goes in.
    static let processActions = Migration(version: 30, name: "process actions", statements: { _ in
        ["ALTER TABLE process_jobs ADD COLUMN payload TEXT"]
    })
}
