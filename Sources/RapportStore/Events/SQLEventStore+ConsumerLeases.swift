import RapportCore
import SQLKit

extension SQLEventStore {
    /// Takes the lease on consumer `name` for `owner` until `until`, or renews it, when it is free,
    /// expired or `owner`'s already; returns whether `owner` holds it now. One statement, so two
    /// nodes claiming at once cannot both win.
    public func claimConsumerLease(_ name: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> Bool {
        let time = tx.now().microseconds
        try await tx.execute("""
            INSERT INTO consumer_leases (name, owner, lease_until, updated_at)
            VALUES (\(bind: name), \(bind: owner), \(bind: until.microseconds), \(bind: time))
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until, updated_at = excluded.updated_at
            WHERE consumer_leases.owner = excluded.owner OR consumer_leases.lease_until < \(bind: time)
            """)
        return try await tx.firstRow("SELECT owner FROM consumer_leases WHERE name = \(bind: name)")?.string("owner") == owner
    }

    /// Gives the lease up (when `owner` holds it) so another node may take over at once.
    public func releaseConsumerLease(_ name: String, owner: String, in tx: WriteTransaction) async throws {
        try await tx.execute("DELETE FROM consumer_leases WHERE name = \(bind: name) AND owner = \(bind: owner)")
    }
}
