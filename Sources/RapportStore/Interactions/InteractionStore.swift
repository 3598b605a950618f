import RapportCore

/// Interactions and each customer's timeline: ingest and reads.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol InteractionStore: Sendable {
    /// Records a touchpoint: resolves the identity (creating the customer when unknown), and
    /// returns the stored interaction instead of a second one when the external id repeats.
    /// `prepared` is what `prepareIngest` made of `new` before the write, off the writer.
    func ingestInteraction(_ new: NewInteraction, actor: Actor, prepared: PreparedRouting?, in tx: WriteTransaction) async throws -> IngestResult

    /// What can be worked out of `new` before its write, off the writer, for routing it in the
    /// transaction that stores it (nil when nothing routes at ingest). Pure computation.
    func prepareIngest(_ new: NewInteraction) -> PreparedRouting?

    func interaction(_ id: String) async throws -> Interaction?

    /// Interactions in id (arrival) order.
    func interactions(matching filter: InteractionFilter, limit: Int, cursor: String?) async throws -> Page<Interaction>

    /// A customer's interactions from every channel in time order (oldest first unless `newestFirst`).
    func timeline(of customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<Interaction>
}

extension InteractionStore {
    /// Ingests `new` with nothing prepared before the write.
    public func ingestInteraction(_ new: NewInteraction, actor: Actor, in tx: WriteTransaction) async throws -> IngestResult {
        try await ingestInteraction(new, actor: actor, prepared: nil, in: tx)
    }
}

/// The SQL implementation of `InteractionStore`, on SQLite or PostgreSQL.
public struct SQLInteractionStore: InteractionStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
