extension Migrations {
    /// Consumers of the log that must run on one node of a cluster at a time (the AMQP publisher:
    /// two would publish every event twice and interleave) hold a lease with an expiry.
    static let consumerLeases = Migration(version: 7, name: "leases of consumers that run on one node", statements: { _ in
        [
            """
            CREATE TABLE consumer_leases (
                name TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
        ]
    })
}
