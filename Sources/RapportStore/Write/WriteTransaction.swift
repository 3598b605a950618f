import RapportCore
import SQLKit

/// One database transaction of the writer, shared by the jobs of a batch in turn.
///
/// Jobs read and write through it. New customers and interactions of ingest, and every event, are
/// collected and written just before commit with one statement per table; the events go last,
/// under the log's lock, so sequence numbers follow commit order.
public final class WriteTransaction: @unchecked Sendable {
    // Only the writer task touches an instance, one job at a time, so plain stored state is safe.
    let database: any SQLDatabase
    public let flavor: SQLFlavor
    let ids: RecordIDGenerator
    /// What the writer remembers between transactions.
    let memo: WriterMemo
    private let clock: @Sendable () -> Timestamp
    /// Events to append at commit, each with its data as stored when it was serialized before.
    private(set) var pendingEvents: [(draft: EventDraft, id: String, time: Timestamp, text: String?)] = []
    /// Rows to insert in one statement per table before commit, in foreign-key order.
    private(set) var pendingCustomers: [CustomerRow] = []
    private(set) var pendingInteractions: [Interaction] = []
    /// Every interaction this transaction stored, in arrival order (kept after the insert).
    private(set) var storedInteractions: [Interaction] = []
    /// Work for the whole batch, run once before commit (see `beforeCommit`), in the order registered.
    private var finishers: [(name: String, work: (WriteTransaction) async throws -> Void)] = []
    /// Identity holders and stored interactions known for this batch.
    let lookups = BatchLookups()
    /// Agents' availability and loads as this transaction has read and changed them.
    let agentLoads = AgentLoads()
    /// Whether the current job has changed anything, so a failure must roll back the batch.
    private(set) var jobHasWritten = false
    /// What areas keep for the whole batch (see `batchState`), by key.
    private var batchStates: [String: AnyObject] = [:]
    /// What to do once the transaction has committed (see `afterCommit`), in the order registered.
    private(set) var commitActions: [@Sendable () -> Void] = []
    /// The log's head as this transaction read it, on SQLite only: its write lock keeps the head
    /// fixed until commit, and this transaction appends only in `flushPending`, so one read serves.
    private var sqliteHead: Int64?

    init(database: any SQLDatabase, flavor: SQLFlavor, ids: RecordIDGenerator, memo: WriterMemo = WriterMemo(),
         clock: @escaping @Sendable () -> Timestamp) {
        self.database = database
        self.memo = memo
        self.flavor = flavor
        self.ids = ids
        self.clock = clock
    }

    /// The time of the current change.
    public func now() -> Timestamp { clock() }

    /// The provenance of a write made here by `actor`: a hybrid-clock version newer than `after` (the
    /// newest version of the record written) and than every version this writer handed out before.
    public func provenance(of actor: Actor, channelID: String?, after newest: FieldVersion?) -> Provenance {
        memo.hybridClock.provenance(of: actor, channelID: channelID, at: now(), after: newest)
    }

    /// Takes in a timestamp written elsewhere (already checked for skew), so later local versions follow it.
    public func observe(_ remote: HybridTimestamp) {
        memo.hybridClock.observe(remote)
    }

    /// A fresh time-sortable id such as `cus_01J…`.
    public func newID(_ prefix: String) -> String { ids.next(prefix: prefix) }

    func beginJob() {
        jobHasWritten = false
    }

    /// Runs `body`, one part of the current job (a row of an import), and tells whether that part
    /// wrote anything before it returned or failed: a part that failed after writing leaves the
    /// transaction half-done for it, and only a rollback undoes that.
    func runPart<T>(_ body: () async throws -> T) async -> (result: Result<T, any Error>, wrote: Bool) {
        let before = jobHasWritten
        jobHasWritten = false
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        let wrote = jobHasWritten
        jobHasWritten = before || wrote
        return (result, wrote)
    }

    /// Runs a statement that changes data.
    public func execute(_ query: SQLQueryString) async throws {
        jobHasWritten = true
        try await database.raw(query).run()
    }

    /// Notes that the current job changed data through `rows`, e.g. an `INSERT … RETURNING`.
    func markWritten() {
        jobHasWritten = true
    }

    /// Runs a query and returns its rows; sees this transaction's own writes.
    public func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await database.raw(query).all()
    }

    public func firstRow(_ query: SQLQueryString) async throws -> (any SQLRow)? {
        try await database.raw(query).first()
    }

    /// Records an event to be appended when the batch commits.
    public func append(_ event: EventDraft) {
        append(event, serialized: nil)
    }

    /// Records an event whose data was serialized before (off the writer), as `text`.
    func append(_ event: EventDraft, serialized text: String?) {
        jobHasWritten = true
        let time = clock()
        pendingEvents.append((event, ids.next(prefix: "evt"), time, text))
    }

    /// Queues a customer (with its identities) for the batch's multi-row inserts.
    ///
    /// Until the flush, only this transaction's lookups know the customer; reads of the table do not.
    func bufferInsert(_ row: CustomerRow) {
        jobHasWritten = true
        pendingCustomers.append(row)
    }

    /// Queues an interaction row for the batch's one multi-row insert.
    func bufferInsert(_ interaction: Interaction) {
        jobHasWritten = true
        pendingInteractions.append(interaction)
        storedInteractions.append(interaction)
        lookups.stored(interaction)
    }

    /// State an area keeps for the whole batch, made on first use: rows it writes with one
    /// statement from a `beforeCommit` finisher, and what later jobs of the batch must see of them.
    /// A job that adds to it calls `markWritten()`, so that its failure rolls the batch back.
    func batchState<State: AnyObject>(_ key: String, make: () -> State) -> State {
        if let state = batchStates[key] as? State { return state }
        let state = make()
        batchStates[key] = state
        return state
    }

    /// Registers work that runs once for the whole batch, after its jobs and the inserts of the
    /// rows they buffered, and before its events are numbered (so it may append more); a second
    /// registration under the same name is ignored. What is cheaper done for many rows at once
    /// (threading the batch's interactions) goes here instead of into each job.
    func beforeCommit(_ name: String, _ work: @escaping (WriteTransaction) async throws -> Void) {
        guard !finishers.contains(where: { $0.name == name }) else { return }
        finishers.append((name, work))
    }

    /// Registers `action` to run on the writer right after this transaction commits (before the
    /// next begins, and before the commit is durable); it never runs when the transaction rolls
    /// back or is a rehearsal. For memory that must follow only what was committed.
    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        commitActions.append(action)
    }

    /// Inserts the customers buffered so far, so that statements that read the table see them.
    func insertBufferedCustomers() async throws {
        for chunk in stride(from: 0, to: pendingCustomers.count, by: 100) {
            try await CustomerRows.insert(pendingCustomers[chunk..<min(chunk + 100, pendingCustomers.count)], on: database)
        }
        pendingCustomers.removeAll()
    }

    /// Writes the buffered rows, then appends the events; returns the events as stored.
    func flushPending() async throws -> [Event] {
        try await insertBufferedCustomers()
        for chunk in stride(from: 0, to: pendingInteractions.count, by: 200) {
            try await InteractionRows.insert(pendingInteractions[chunk..<min(chunk + 200, pendingInteractions.count)], on: database)
        }
        pendingInteractions.removeAll()
        let finishing = finishers
        finishers.removeAll()
        for finisher in finishing { try await finisher.work(self) }
        guard !pendingEvents.isEmpty else { return [] }
        if flavor == .postgres {
            // Serializes appends across every node: the lock is held until commit, so whoever
            // appends next sees these events and numbers after them (commit order = log order).
            try await database.raw("SELECT pg_advisory_xact_lock(\(literal: EventLog.appendLockKey))").run()
        }
        let head = try await headBeforeAppends()
        var events: [Event] = []
        events.reserveCapacity(pendingEvents.count)
        for (offset, pending) in pendingEvents.enumerated() {
            events.append(Event(sequence: head + Int64(offset) + 1, id: pending.id, type: pending.draft.type,
                                subject: pending.draft.subject, time: pending.time, data: pending.draft.data))
        }
        let texts = pendingEvents.map { $0.text ?? $0.draft.data.jsonString }
        for chunk in stride(from: 0, to: events.count, by: 500) {
            let end = min(chunk + 500, events.count)
            try await EventLog.insert(events[chunk..<end], texts: texts[chunk..<end], on: database)
        }
        pendingEvents.removeAll()
        return events
    }

    /// The log's head before this transaction's events: read once on SQLite, where the write lock
    /// keeps it fixed; on PostgreSQL read under the log's lock each time.
    func headBeforeAppends() async throws -> Int64 {
        if flavor == .sqlite, let sqliteHead { return sqliteHead }
        let head = try await EventLog.head(on: database)
        if flavor == .sqlite { sqliteHead = head }
        return head
    }

    /// Forgets the events appended after the first `count` (their savepoint was rolled back).
    func dropPendingEvents(after count: Int) {
        guard pendingEvents.count > count else { return }
        pendingEvents.removeSubrange(count...)
    }

    func discardPending() {
        finishers.removeAll()
        storedInteractions.removeAll()
        pendingEvents.removeAll()
        pendingCustomers.removeAll()
        pendingInteractions.removeAll()
        batchStates.removeAll()
        commitActions.removeAll()
    }
}

/// Facts the writer keeps between transactions to save statements; only the writer task uses it.
final class WriterMemo: @unchecked Sendable {
    /// Channels seen to exist. A channel deleted elsewhere is still caught by the foreign key.
    var knownChannels: Set<String> = []
    /// The store's hybrid logical clock, shared with what prepares writes off the writer.
    let hybridClock: StoreHybridClock

    init(hybridClock: StoreHybridClock = StoreHybridClock()) {
        self.hybridClock = hybridClock
    }

    func forgetAll() {
        knownChannels.removeAll()
    }
}
