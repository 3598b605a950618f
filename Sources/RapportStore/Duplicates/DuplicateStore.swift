import RapportCore

/// Duplicate candidates, their review, the match model and its settings.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol DuplicateStore: Sendable {
    /// Adds pairs to the review queue. A pair already open gets its new score; a pair decided
    /// before (accepted, rejected) is left alone, so a rejection is remembered. Returns the
    /// candidates that are new.
    @discardableResult
    func proposeDuplicates(_ pairs: [ProposedDuplicate], actor: Actor, in tx: WriteTransaction) async throws -> [DuplicateCandidate]

    /// Accepts a candidate by merging the two (into `survivorID`, by default the older one), or
    /// rejects it for good.
    func decideDuplicate(_ id: String, accept: Bool, survivorID: String?, overrides: CustomerPatch?, actor: Actor,
                         in tx: WriteTransaction) async throws -> (candidate: DuplicateCandidate, merge: MergeOutcome?)

    func duplicate(_ id: String) async throws -> DuplicateCandidate?

    /// A page of candidates in id (proposal) order.
    func duplicates(status: DuplicateCandidate.Status?, customerID: String?, limit: Int, cursor: String?) async throws -> Page<DuplicateCandidate>

    /// The comparison grades of every decided pair, for refining the model: confirmed (accepted)
    /// and rejected.
    func labelledDuplicatePairs() async throws -> (confirmed: [JSONValue], rejected: [JSONValue])

    /// How many customers stand.
    func standingCustomerCount() async throws -> Int

    /// Every standing customer in an index for `profile`; `progress` hears the count so far.
    /// The next page is read while the current one goes into the index.
    func matchIndex(profile: MatchProfile, pageSize: Int, progress: @Sendable (Int) -> Void) async throws -> MatchIndex

    /// Standing customers with only what matching reads (names, identities, addresses,
    /// attributes), in id order: fewer columns and one range scan of identities per page.
    func matchingCustomers(after id: String?, limit: Int) async throws -> [Customer]

    /// The newest trained model, if any was saved.
    func latestMatchModel() async throws -> StoredMatchModel?

    /// Estimates a model from `index` without labels (EM), refines it with every decided pair of
    /// the review queue, and saves it as the next version.
    func trainMatchModel(index: MatchIndex, profile: MatchProfile, actor: Actor) async throws -> StoredMatchModel

    /// The matching settings in force (the defaults until some are saved).
    func matchingSettings() async throws -> MatchingSettings

    /// Saves a newly trained model as the next version.
    func saveMatchModel(_ model: MatchModel, summary: JSONValue, actor: Actor, in tx: WriteTransaction) async throws -> StoredMatchModel

    /// Replaces the matching settings.
    func setMatchingSettings(_ settings: MatchingSettings, actor: Actor, in tx: WriteTransaction) async throws
}

/// The SQL implementation of `DuplicateStore`, on SQLite or PostgreSQL.
public struct SQLDuplicateStore: DuplicateStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}

extension DuplicateStore {
    /// Every standing customer in an index for `profile`, read in pages of 10,000.
    public func matchIndex(profile: MatchProfile) async throws -> MatchIndex {
        try await matchIndex(profile: profile, pageSize: 10_000, progress: { _ in })
    }
}
