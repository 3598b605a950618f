extension Migrations {
    /// Every step a handoff takes, kept: the customer's timeline and both departments' feeds read
    /// them. Handoffs stored before keep their request and their latest step.
    static let handoffSteps = Migration(version: 20, name: "handoff steps", statements: { _ in
        [
            """
            CREATE TABLE handoff_steps (id TEXT PRIMARY KEY, handoff_id TEXT NOT NULL REFERENCES handoffs(id), step TEXT NOT NULL,
                from_department_id TEXT NOT NULL, to_department_id TEXT NOT NULL, actor TEXT, at BIGINT NOT NULL, record TEXT NOT NULL)
            """,
            "CREATE INDEX handoff_steps_handoff ON handoff_steps (handoff_id, at, id)",
            "CREATE INDEX handoff_steps_to ON handoff_steps (to_department_id, at, id)",
            "CREATE INDEX handoff_steps_from ON handoff_steps (from_department_id, at, id)",
            "CREATE INDEX conversations_department_created ON conversations (department_id, created_at, id)",
            """
            INSERT INTO handoff_steps (id, handoff_id, step, from_department_id, to_department_id, actor, at, record)
            SELECT id || '-1', id, 'requested', from_department_id, to_department_id, NULL, created_at, record FROM handoffs
            """,
            """
            INSERT INTO handoff_steps (id, handoff_id, step, from_department_id, to_department_id, actor, at, record)
            SELECT id || '-' || CAST(version AS TEXT), id,
                   CASE WHEN status = 'requested' AND escalated_at IS NOT NULL THEN 'escalated' ELSE status END,
                   from_department_id, to_department_id, NULL, updated_at, record
            FROM handoffs WHERE version > 1
            """,
        ]
    })
}
