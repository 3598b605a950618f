import RapportCore

/// The event log as consumers read it: events, consumer positions and leases.
///
/// Reads run on a reading connection; writes join the `WriteTransaction` they are given, so
/// one group commit holds them with the writes of other areas and their events.
public protocol EventStore: Sendable {
    /// The highest sequence this process committed or saw at start (or heard of from other nodes).
    var knownHead: Int64 { get }

    /// Waits until an event after `sequence` commits, or `timeout` passes.
    func waitForCommit(after sequence: Int64, timeout: Duration) async

    /// Whether the database holding the log answers.
    func ping() async -> Bool

    /// The event at a log position.
    func event(at sequence: Int64) async throws -> Event?

    /// Takes the lease on consumer `name` for `owner` until `until`, or renews it, when it is free,
    /// expired or `owner`'s already; returns whether `owner` holds it now. One statement, so two
    /// nodes claiming at once cannot both win.
    func claimConsumerLease(_ name: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws -> Bool

    /// Gives the lease up (when `owner` holds it) so another node may take over at once.
    func releaseConsumerLease(_ name: String, owner: String, in tx: WriteTransaction) async throws

    /// How far the named consumer of the event log has read; nil before its first save.
    func consumerPosition(_ name: String) async throws -> Int64?

    /// Sets where the named consumer starts unless it already has a position (another node may
    /// have set it first), and returns the position it has now.
    func startConsumerPosition(_ name: String, at position: Int64) async throws -> Int64

    /// Records how far the named consumer has read (never backwards).
    func saveConsumerPosition(_ name: String, _ position: Int64) async throws

    /// Records how far the named consumer has read (never backwards), in this transaction, so the
    /// position moves together with the effects of what it read.
    func savePosition(of name: String, at position: Int64, in tx: WriteTransaction) async throws

    /// Every consumer that saved a position, by name.
    func consumerPositions() async throws -> [ConsumerPosition]

    /// Events after `sequence`, oldest first.
    func events(after sequence: Int64, limit: Int) async throws -> [Event]

    /// Events after `sequence` of the types `filter` passes, oldest first, with how far the read
    /// covered (a consumer that does these has done the log up to `reached`): a consumer that
    /// needs a few types does not read, or parse, the rest.
    func events(after sequence: Int64, limit: Int, matching filter: EventTypeFilter) async throws -> EventWindow

    /// The sequence of the newest committed event, read from the database.
    func eventLogHead() async throws -> Int64
}

/// The SQL implementation of `EventStore`, on SQLite or PostgreSQL.
public struct SQLEventStore: EventStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public var knownHead: Int64 { store.knownHead }

    public func waitForCommit(after sequence: Int64, timeout: Duration) async {
        await store.waitForCommit(after: sequence, timeout: timeout)
    }

    public func ping() async -> Bool { await store.ping() }
}
