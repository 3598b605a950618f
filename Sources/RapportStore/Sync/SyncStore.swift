import RapportCore

/// Offline sync: pushes of field changes that converge, and pulls of changed customers.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol SyncStore: Sendable {
    /// Applies an offline push change by change, each converging field by field with what the
    /// record holds; a change refused (clock too far ahead, identity held by someone else, unknown
    /// customer) is reported and the others still apply.
    func applySync(_ push: SyncPush, maxSkewMilliseconds: Int64, actor: Actor, in tx: WriteTransaction) async throws -> [SyncOutcome]

    /// The customers changed after log position `after`, each at its current state with field
    /// versions, so the channel converges its offline copy with the same rules.
    func pullCustomers(after: Int64, limit: Int) async throws -> SyncPull
}

/// The SQL implementation of `SyncStore`, on SQLite or PostgreSQL.
public struct SQLSyncStore: SyncStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
