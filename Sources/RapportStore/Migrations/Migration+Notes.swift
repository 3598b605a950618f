extension Migrations {
    /// Working together on a customer: internal notes (with their earlier texts and files), tasks,
    /// each user's notifications and preferences, and what users follow.
    static let notes = Migration(version: 19, name: "notes, tasks, handoffs, notifications, follows", statements: { flavor in
        let blob = flavor == .sqlite ? "BLOB" : "BYTEA"
        return [
            """
            CREATE TABLE notes (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                conversation_id TEXT REFERENCES conversations(id), body TEXT NOT NULL, visibility TEXT NOT NULL, department_id TEXT,
                pinned BIGINT NOT NULL, author_type TEXT NOT NULL, author_id TEXT, mentions TEXT NOT NULL, unresolved_mentions TEXT NOT NULL,
                attachments TEXT NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, edited_at BIGINT,
                deleted_at BIGINT)
            """,
            "CREATE INDEX notes_customer ON notes (customer_id, created_at, id)",
            "CREATE INDEX notes_conversation ON notes (conversation_id, created_at, id)",
            """
            CREATE TABLE note_revisions (note_id TEXT NOT NULL REFERENCES notes(id), version BIGINT NOT NULL, body TEXT NOT NULL,
                editor_type TEXT NOT NULL, editor_id TEXT, edited_at BIGINT NOT NULL, PRIMARY KEY (note_id, version))
            """,
            """
            CREATE TABLE note_files (id TEXT PRIMARY KEY, note_id TEXT NOT NULL REFERENCES notes(id), position BIGINT NOT NULL,
                filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, content \(blob) NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX note_files_note ON note_files (note_id, position)",
            """
            CREATE TABLE notifications (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
                customer_id TEXT, record TEXT NOT NULL, created_at BIGINT NOT NULL, read_at BIGINT)
            """,
            "CREATE INDEX notifications_user ON notifications (user_id, id)",
            "CREATE INDEX notifications_unread ON notifications (user_id, read_at)",
            """
            CREATE TABLE notification_preferences (user_id TEXT PRIMARY KEY REFERENCES users(id), disabled TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE follows (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), customer_id TEXT NOT NULL REFERENCES customers(id),
                conversation_id TEXT REFERENCES conversations(id), created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX follows_customer ON follows (customer_id, conversation_id)",
            "CREATE INDEX follows_user ON follows (user_id, id)",
            """
            CREATE TABLE tasks (id TEXT PRIMARY KEY, status TEXT NOT NULL, priority TEXT NOT NULL, assignee_kind TEXT NOT NULL,
                assignee_id TEXT NOT NULL, customer_id TEXT REFERENCES customers(id), conversation_id TEXT REFERENCES conversations(id),
                due_at BIGINT, remind_at BIGINT, overdue_notified_at BIGINT, record TEXT NOT NULL, created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL, version BIGINT NOT NULL)
            """,
            "CREATE INDEX tasks_assignee ON tasks (assignee_kind, assignee_id, status, due_at)",
            "CREATE INDEX tasks_due ON tasks (status, due_at)",
            "CREATE INDEX tasks_remind ON tasks (remind_at)",
            "CREATE INDEX tasks_customer ON tasks (customer_id, status)",
            """
            CREATE TABLE handoffs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, from_department_id TEXT NOT NULL REFERENCES departments(id),
                to_department_id TEXT NOT NULL REFERENCES departments(id), customer_id TEXT NOT NULL REFERENCES customers(id),
                conversation_id TEXT REFERENCES conversations(id), status TEXT NOT NULL, answer_due_at BIGINT NOT NULL, escalated_at BIGINT,
                record TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL)
            """,
            "CREATE INDEX handoffs_to ON handoffs (to_department_id, status, id)",
            "CREATE INDEX handoffs_from ON handoffs (from_department_id, status, id)",
            "CREATE INDEX handoffs_due ON handoffs (status, answer_due_at)",
            "CREATE INDEX handoffs_customer ON handoffs (customer_id, id)",
        ]
    })
}
