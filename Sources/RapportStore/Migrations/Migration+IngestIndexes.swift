extension Migrations {
    /// Index entries that every ingested message paid for, at a page of the log each for every
    /// customer written to in a commit, without a query that needed them:
    ///
    /// - `events_subject` (from the first schema) is read by no query: the log is read by sequence
    ///   only. Each event added an entry at a random place in it, three for every inbound message
    ///   (the interaction, its conversation's update, the routing decision): a fifth of the pages
    ///   ingest wrote. What comes to need a customer's events (erasure) adds what it reads by.
    /// - `conversations_customer` had the conversation's last contact in its key, so each message
    ///   that joined a conversation rewrote its entry. It now keys by customer and channel only, and
    ///   threading, which asks for the open conversations without a thread key, has a partial index
    ///   of its own that stays small however many conversations a customer has had.
    /// - The inbox orders by department, queue and assignee (migration 9) held an entry for every
    ///   conversation without one — each moved by every message — though an inbox asks only for a
    ///   given department, queue or assignee (`department_id = ?` and so on, which the partial
    ///   indexes serve); unassigned lists go by the department's order and filter.
    static let ingestIndexes = Migration(version: 32, name: "index entries that messages paid for and no query read",
                                         statements: { _ in
        var statements = [
            "DROP INDEX events_subject",
            "DROP INDEX conversations_customer",
            "CREATE INDEX conversations_customer ON conversations (customer_id, channel_id)",
            """
            CREATE INDEX conversations_customer_open ON conversations (customer_id, channel_id)
            WHERE thread_key IS NULL AND status <> 'resolved'
            """,
        ]
        for column in ["department", "queue", "assignee"] {
            statements.append("DROP INDEX conversations_\(column)_recent")
            statements.append("""
                CREATE INDEX conversations_\(column)_recent ON conversations (\(column)_id, last_interaction_at, id)
                WHERE \(column)_id IS NOT NULL
                """)
        }
        return statements
    })
}
