import RapportCore

extension Migrations {
    /// Conversations and their routing: queues, agents' availability, ordered rules with their
    /// versions, keyword sets, classifier models, and the decision made for each message.
    static let routing = Migration(version: 6, name: "conversations, queues, agents, routing rules, keyword sets, classifier models", statements: { flavor in
        let real = flavor == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return [
            """
            CREATE TABLE queues (
                id TEXT PRIMARY KEY, department_id TEXT NOT NULL REFERENCES departments(id), key TEXT NOT NULL, name TEXT NOT NULL,
                strategy TEXT NOT NULL, weights TEXT NOT NULL, last_assigned_id TEXT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (department_id, key))
            """,
            """
            CREATE TABLE queue_members (
                queue_id TEXT NOT NULL REFERENCES queues(id), user_id TEXT NOT NULL REFERENCES users(id), position BIGINT NOT NULL,
                PRIMARY KEY (queue_id, user_id))
            """,
            """
            CREATE TABLE agent_states (
                user_id TEXT PRIMARY KEY REFERENCES users(id), status TEXT NOT NULL, capacity \(real) NOT NULL, skills TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE conversations (
                id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), channel_id TEXT NOT NULL REFERENCES channels(id),
                thread_key TEXT, subject TEXT, status TEXT NOT NULL, department_id TEXT, queue_id TEXT, assignee_id TEXT,
                priority TEXT NOT NULL, tags TEXT NOT NULL, suppressed TEXT, skills TEXT NOT NULL, weight \(real) NOT NULL,
                interaction_count BIGINT NOT NULL, last_interaction_at BIGINT NOT NULL, snoozed_until BIGINT,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, resolved_at BIGINT)
            """,
            "CREATE INDEX conversations_customer ON conversations (customer_id, channel_id, last_interaction_at)",
            "CREATE INDEX conversations_thread ON conversations (channel_id, thread_key)",
            "CREATE INDEX conversations_department ON conversations (department_id, status, id)",
            "CREATE INDEX conversations_queue ON conversations (queue_id, status, id)",
            "CREATE INDEX conversations_assignee ON conversations (assignee_id, status, id)",
            """
            CREATE TABLE conversation_interactions (
                interaction_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id), created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX conversation_interactions_conversation ON conversation_interactions (conversation_id, interaction_id)",
            """
            CREATE TABLE routing_rules (
                id TEXT PRIMARY KEY, trigger TEXT NOT NULL, position BIGINT NOT NULL, version BIGINT NOT NULL, definition TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT)
            """,
            """
            CREATE TABLE routing_rule_versions (
                rule_id TEXT NOT NULL REFERENCES routing_rules(id), version BIGINT NOT NULL, definition TEXT NOT NULL, actor TEXT NOT NULL,
                created_at BIGINT NOT NULL, PRIMARY KEY (rule_id, version))
            """,
            """
            CREATE TABLE routing_decisions (
                id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, interaction_id TEXT, trigger TEXT NOT NULL,
                event_sequence BIGINT, decision TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX routing_decisions_conversation ON routing_decisions (conversation_id, id)",
            "CREATE INDEX routing_decisions_interaction ON routing_decisions (interaction_id)",
            """
            CREATE TABLE keyword_sets (
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, whole_words BIGINT NOT NULL, terms TEXT NOT NULL, term_count BIGINT NOT NULL,
                version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE classifier_models (
                version BIGINT PRIMARY KEY, model TEXT NOT NULL, summary TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            // Routing starts with what is appended after this migration, whenever the first router
            // starts: history before routing existed is not routed after the fact.
            """
            INSERT INTO consumer_positions (name, position, updated_at)
            SELECT 'router', COALESCE(MAX(sequence), 0), 0 FROM events WHERE true
            ON CONFLICT (name) DO NOTHING
            """,
        ]
    })
}
