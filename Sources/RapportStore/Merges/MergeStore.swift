import RapportCore

/// Merging customers, undoing a merge, and the survivorship policy.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol MergeStore: Sendable {
    /// Merges `absorbedIDs` into `survivorID`: identities and interactions move to the survivor,
    /// each field follows the survivorship policy unless `overrides` sets it, and the absorbed
    /// customers keep resolving to the survivor. Everything undo needs is kept with the merge.
    func mergeCustomers(into survivorID: String, absorbing absorbedIDs: [String], overrides: CustomerPatch?, actor: Actor,
                        in tx: WriteTransaction) async throws -> MergeOutcome

    /// Reverses a merge exactly, or refuses naming the later changes that make that impossible.
    func undoMerge(_ mergeID: String, actor: Actor, in tx: WriteTransaction) async throws -> MergeOutcome

    /// Replaces the survivorship policy.
    func setSurvivorshipPolicy(_ policy: SurvivorshipPolicy, actor: Actor, in tx: WriteTransaction) async throws

    /// A merge as recorded.
    func merge(_ id: String) async throws -> MergeRecord?

    /// The merges `customerID` survived, newest first (undone ones included), at most `limit`.
    func merges(survivor customerID: String, limit: Int) async throws -> [MergeRecord]

    /// The survivorship policy in force.
    func survivorshipPolicy() async throws -> SurvivorshipPolicy

    /// A customer with the provenance of its fields; absorbed customers included (`mergedInto` set).
    func versionedCustomer(_ id: String) async throws -> VersionedCustomer?
}

/// The SQL implementation of `MergeStore`, on SQLite or PostgreSQL.
public struct SQLMergeStore: MergeStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
