import Logging
import RapportCore
import RapportStore
import ServiceLifecycle

/// Follows the event log and keeps segments' members current: every customer that is created,
/// changed, merged away or deleted is checked against every segment, in one transaction with the
/// monitor's position, and each move is a `rapport.segment.entered` or `left` event.
///
/// Every node runs one; each transaction first takes the monitor's turn (on PostgreSQL a
/// transaction-scoped advisory lock, tried without waiting) and skips what the saved position says
/// is done, so a customer's move is announced once. Requests that must see their own writes in a
/// segment wait with `caughtUp(through:)`.
public actor SegmentMonitor: Service {
    let store: Store
    let clock: any Clock<Duration>
    let segments: any SegmentStore
    let events: any EventStore
    let logger: Logger
    private var cursor: Int64 = 0
    /// The position last saved, which operators see (`GET /v1/consumers`).
    private var savedCursor: Int64 = 0
    private var started = false
    private var waiters: [(through: Int64, continuation: CheckedContinuation<Void, Never>)] = []

    /// The name its read position is saved under (the segments migration sets it first).
    public static let consumerName = "segments"
    static let batchSize = 500
    /// How far the monitor reads past its saved position through events of no concern to it
    /// before it saves the position anyway: a restart reads at most that much again.
    static let unsavedSkipLimit: Int64 = 5_000
    /// Customers' changes, and their records' (a filter may ask about them; a record's event has
    /// its customer as subject).
    static let readFilter = EventTypeFilter(prefixes: ["rapport.customer.", "rapport.record."])

    public init(store: Store, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.segments = store.segments
        self.events = store.events
        self.logger = logger
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await followLog("segment reconciliation", store: self.store, logger: self.logger, clock: self.clock,
                                start: { try await self.start() },
                                wait: { await self.store.waitForCommit(after: await self.cursor, timeout: .seconds(1)) },
                                catchUp: { try await self.catchUp() })
        }
    }

    func start() async throws {
        cursor = try await events.consumerPosition(Self.consumerName) ?? 0
        savedCursor = cursor
        started = true
    }

    /// Returns once the monitor has done the log through `sequence`, or after `timeout` (false).
    public func caughtUp(through sequence: Int64, timeout: Duration) async -> Bool {
        if started, cursor >= sequence { return true }
        let clock = self.clock
        let deadline = Task { [weak self] in
            try? await clock.sleep(for: timeout)
            await self?.releaseAll()
        }
        await withCheckedContinuation { continuation in waiters.append((sequence, continuation)) }
        deadline.cancel()
        return started && cursor >= sequence
    }

    private func releaseAll() {
        let all = waiters
        waiters.removeAll()
        for waiter in all { waiter.continuation.resume() }
    }

    private func releaseReached() {
        let ready = waiters.filter { $0.through <= cursor }
        waiters.removeAll { $0.through <= cursor }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Reads the log from the cursor and reconciles the customers it names, a window a transaction.
    func catchUp() async throws {
        while true {
            let window = try await events.events(after: cursor, limit: Self.batchSize, matching: Self.readFilter)
            guard window.reached > cursor else {
                // Nothing new of ours: what others wrote meanwhile is done too (as far as read).
                releaseReached()
                return
            }
            guard !window.events.isEmpty || window.reached - savedCursor >= Self.unsavedSkipLimit else {
                // Only other kinds of events: done, without a write (after a restart they are read again).
                cursor = window.reached
                releaseReached()
                continue
            }
            var seen: Set<String> = []
            // A record moved to another customer changes the one it left as well.
            let named = window.events.flatMap { [$0.subject, $0.data.objectValue?["previous_customer_id"]?.stringValue].compactMap { $0 } }
            let customers = named.filter { $0.hasPrefix("cus_") && seen.insert($0).inserted }
            let name = Self.consumerName
            let (segments, events) = (self.segments, self.events)
            let conversations = store.conversations
            let reached = try await store.write { tx -> Int64? in
                guard let turn = try await conversations.claimTurn(of: name, in: tx) else { return nil }
                let saved = turn ?? 0
                guard window.reached > saved else { return saved }
                if !customers.isEmpty { _ = try await segments.reconcile(customerIDs: customers, in: tx) }
                try await events.savePosition(of: name, at: window.reached, in: tx)
                return window.reached
            }
            if let reached {
                cursor = max(cursor, reached)
                savedCursor = max(savedCursor, reached)
            } else {
                // Another node has the turn: take its position once it saved it.
                try await clock.sleep(for: .milliseconds(20))
                cursor = max(cursor, try await events.consumerPosition(name) ?? cursor)
                // That position is saved: reading on past it is no reason to write.
                savedCursor = max(savedCursor, cursor)
            }
            releaseReached()
            if window.events.count < Self.batchSize { return }
        }
    }
}
