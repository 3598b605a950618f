import RapportCore

/// Interactions and each customer's timeline: ingest and reads.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol InteractionStore: Sendable {
    /// Records a touchpoint: resolves the identity (creating the customer when unknown), and
    /// returns the stored interaction instead of a second one when the external id repeats.
    func ingestInteraction(_ new: NewInteraction, actor: Actor, in tx: WriteTransaction) async throws -> IngestResult

    func interaction(_ id: String) async throws -> Interaction?

    /// Interactions in id (arrival) order.
    func interactions(matching filter: InteractionFilter, limit: Int, cursor: String?) async throws -> Page<Interaction>

    /// A customer's interactions from every channel in time order (oldest first unless `newestFirst`).
    func timeline(of customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<Interaction>
}

/// The SQL implementation of `InteractionStore`, on SQLite or PostgreSQL.
public struct SQLInteractionStore: InteractionStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
