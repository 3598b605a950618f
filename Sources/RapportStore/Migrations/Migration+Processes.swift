extension Migrations {
    /// BPMN processes: each deployed version of a process with its file, the instances with their
    /// state (tokens and variables as JSON) and history, and what instances wait for — jobs for
    /// workers, people's tasks, messages, timers, and incidents for an admin.
    static let processes = Migration(version: 28, name: "processes", statements: { _ in
        [
            """
            CREATE TABLE process_definitions (id TEXT PRIMARY KEY, process_key TEXT NOT NULL, version BIGINT NOT NULL, name TEXT,
                xml TEXT NOT NULL, checksum TEXT NOT NULL, deployed_by TEXT, deployed_at BIGINT NOT NULL, UNIQUE (process_key, version))
            """,
            """
            CREATE TABLE process_instances (id TEXT PRIMARY KEY, definition_id TEXT NOT NULL REFERENCES process_definitions(id),
                process_key TEXT NOT NULL, status TEXT NOT NULL, customer_id TEXT, business_key TEXT, state TEXT NOT NULL,
                step_count BIGINT NOT NULL, started_by TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, ended_at BIGINT,
                version BIGINT NOT NULL)
            """,
            "CREATE INDEX process_instances_key ON process_instances (process_key, id)",
            "CREATE INDEX process_instances_status ON process_instances (status, id)",
            "CREATE INDEX process_instances_customer ON process_instances (customer_id, id)",
            """
            CREATE TABLE process_steps (instance_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL, node TEXT NOT NULL,
                token BIGINT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (instance_id, position))
            """,
            """
            CREATE TABLE process_jobs (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL,
                type TEXT NOT NULL, retries BIGINT NOT NULL, worker TEXT, locked_until BIGINT, available_at BIGINT NOT NULL,
                last_error TEXT, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX process_jobs_type ON process_jobs (type, available_at, id)",
            "CREATE INDEX process_jobs_instance ON process_jobs (instance_id, token)",
            """
            CREATE TABLE process_timers (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL,
                due_at BIGINT NOT NULL)
            """,
            "CREATE INDEX process_timers_due ON process_timers (due_at, id)",
            """
            CREATE TABLE process_user_tasks (instance_id TEXT NOT NULL, token BIGINT NOT NULL, task_id TEXT NOT NULL,
                PRIMARY KEY (instance_id, token))
            """,
            "CREATE UNIQUE INDEX process_user_tasks_task ON process_user_tasks (task_id)",
            """
            CREATE TABLE process_subscriptions (instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL, message TEXT NOT NULL,
                correlation_key TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (instance_id, token))
            """,
            "CREATE INDEX process_subscriptions_message ON process_subscriptions (message, correlation_key)",
            "CREATE INDEX process_timers_instance ON process_timers (instance_id, token)",
            """
            CREATE TABLE process_incidents (id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, token BIGINT NOT NULL, node TEXT NOT NULL,
                message TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, resolved_at BIGINT, resolved_by TEXT)
            """,
            "CREATE INDEX process_incidents_status ON process_incidents (status, id)",
            "CREATE INDEX process_incidents_instance ON process_incidents (instance_id, token)",
            // Conditional start events react to CRM events from now on, not to the whole history.
            """
            INSERT INTO consumer_positions (name, position, updated_at)
            SELECT 'process-triggers', COALESCE(MAX(sequence), 0), 0 FROM events WHERE true
            ON CONFLICT (name) DO NOTHING
            """,
        ]
    })
}
