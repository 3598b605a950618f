extension Migrations {
    /// Inbox counts kept as conversations change, instead of a `COUNT(*)` over every conversation
    /// on each inbox read: per status for everything, each department, queue and assignee, and
    /// each department's unassigned conversations (suppressed ones are not counted). Triggers
    /// keep them, so no write path can forget to; and indexes that serve an inbox in its order.
    static let inboxCounts = Migration(version: 9, name: "inbox counts kept by triggers; inbox order indexes", statements: { flavor in
        let scopes = InboxCountScopes.self
        var statements = [
            """
            CREATE TABLE conversation_counts (
                scope TEXT NOT NULL, scope_id TEXT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (scope, scope_id, status))
            """,
            "CREATE INDEX conversations_recent ON conversations (last_interaction_at, id)",
            "CREATE INDEX conversations_department_recent ON conversations (department_id, last_interaction_at, id)",
            "CREATE INDEX conversations_queue_recent ON conversations (queue_id, last_interaction_at, id)",
            "CREATE INDEX conversations_assignee_recent ON conversations (assignee_id, last_interaction_at, id)",
        ]
        // What is there already, counted once.
        for (scope, idExpression, condition) in scopes.all {
            let grouping = idExpression == "''" ? "status" : "\(idExpression), status"
            statements.append("""
                INSERT INTO conversation_counts (scope, scope_id, status, n)
                SELECT \(scope), \(idExpression), status, COUNT(*) FROM conversations
                WHERE suppressed IS NULL AND \(condition) GROUP BY \(grouping)
                """)
        }
        switch flavor {
        case .sqlite:
            statements += scopes.sqliteTriggers
        case .postgres:
            statements += scopes.postgresTriggers
        }
        return statements
    })
}

/// The scopes an inbox count is kept for: (scope, the row's id for it, when the row belongs to it).
enum InboxCountScopes {
    /// Constants of this file, written as SQL literals.
    static let all: [(scope: String, id: String, condition: String)] = [
        ("'all'", "''", "1 = 1"),
        ("'department'", "department_id", "department_id IS NOT NULL"),
        ("'queue'", "queue_id", "queue_id IS NOT NULL"),
        ("'assignee'", "assignee_id", "assignee_id IS NOT NULL"),
        ("'department_unassigned'", "department_id", "department_id IS NOT NULL AND assignee_id IS NULL"),
    ]

    /// `row` is NEW or OLD; each scope's statement adds `delta` for that row when it counts there.
    private static func adjustments(row: String, delta: Int) -> [String] {
        all.map { scope, id, condition in
            let qualifiedID = id == "''" ? "''" : "\(row).\(id)"
            let qualified = condition
                .replacingOccurrences(of: "department_id", with: "\(row).department_id")
                .replacingOccurrences(of: "assignee_id", with: "\(row).assignee_id")
                .replacingOccurrences(of: "queue_id", with: "\(row).queue_id")
            return """
                INSERT INTO conversation_counts (scope, scope_id, status, n)
                SELECT \(scope), \(qualifiedID), \(row).status, \(delta) WHERE \(row).suppressed IS NULL AND \(qualified)
                ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = conversation_counts.n + \(delta)
                """
        }
    }

    static var sqliteTriggers: [String] {
        let watched = "status, department_id, queue_id, assignee_id, suppressed"
        return [
            "CREATE TRIGGER conversation_counts_insert AFTER INSERT ON conversations BEGIN\n"
                + adjustments(row: "NEW", delta: 1).map { $0 + ";\n" }.joined() + "END",
            "CREATE TRIGGER conversation_counts_update AFTER UPDATE OF \(watched) ON conversations BEGIN\n"
                + (adjustments(row: "OLD", delta: -1) + adjustments(row: "NEW", delta: 1)).map { $0 + ";\n" }.joined() + "END",
            "CREATE TRIGGER conversation_counts_delete AFTER DELETE ON conversations BEGIN\n"
                + adjustments(row: "OLD", delta: -1).map { $0 + ";\n" }.joined() + "END",
        ]
    }

    static var postgresTriggers: [String] {
        let body = """
            CREATE FUNCTION conversation_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
            \(adjustments(row: "OLD", delta: -1).map { "        " + $0 + ";\n" }.joined())
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
            \(adjustments(row: "NEW", delta: 1).map { "        " + $0 + ";\n" }.joined())
                END IF;
                RETURN NULL;
            END
            $$
            """
        return [
            body,
            """
            CREATE TRIGGER conversation_counts_insert_delete AFTER INSERT OR DELETE ON conversations
            FOR EACH ROW EXECUTE FUNCTION conversation_counts_keep()
            """,
            """
            CREATE TRIGGER conversation_counts_update AFTER UPDATE OF status, department_id, queue_id, assignee_id, suppressed
            ON conversations FOR EACH ROW
            WHEN ((OLD.status, OLD.department_id, OLD.queue_id, OLD.assignee_id, OLD.suppressed)
                  IS DISTINCT FROM (NEW.status, NEW.department_id, NEW.queue_id, NEW.assignee_id, NEW.suppressed))
            EXECUTE FUNCTION conversation_counts_keep()
            """,
        ]
    }
}
