import Logging
import RapportCore
import RapportStore
import ServiceLifecycle

/// Follows the event log: starts processes whose conditional start events a CRM event matches
/// (`type == "rapport.record.updated" && data.record.fields.csat == 1`) and delivers events to
/// tokens waiting for them as messages, in one transaction with its position, so each event
/// starts or moves each instance once. Every node runs one; a transaction
/// first takes the turn (as the segment monitor does), so only one node acts on an event.
public actor ProcessTriggers: Service {
    let store: Store
    let clock: any Clock<Duration>
    let processes: any ProcessStore
    let events: any EventStore
    let logger: Logger
    private var cursor: Int64 = 0
    /// The position last saved.
    private var savedCursor: Int64 = 0
    /// Whether a process starts on CRM events or a token waits for one, as last looked.
    private var listening = true

    /// The name its read position is saved under (the processes migration sets it at the head).
    public static let consumerName = "process-triggers"
    static let batchSize = 500
    /// How far it reads past its saved position, while no process starts on events, before it
    /// saves the position anyway (a restart reads at most that much again).
    static let unsavedSkipLimit: Int64 = 5_000
    /// How often it looks whether something listens, while nothing does.
    static let idleInterval: Duration = .milliseconds(250)

    public init(store: Store, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.processes = store.processes
        self.events = store.events
        self.logger = logger
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await followLog("process triggers", store: self.store, logger: self.logger, clock: self.clock,
                                start: { try await self.start() },
                                wait: {
                                    if await self.listening {
                                        await self.store.waitForCommit(after: await self.cursor, timeout: .seconds(1))
                                    } else {
                                        // Nothing listens: look again a little later rather than at every commit.
                                        try await self.clock.sleep(for: Self.idleInterval)
                                    }
                                },
                                catchUp: { try await self.catchUp() })
        }
    }

    func start() async throws {
        cursor = try await events.consumerPosition(Self.consumerName) ?? 0
        savedCursor = cursor
    }

    /// Reads the log from the cursor, a window a transaction.
    func catchUp() async throws {
        // The head first: whatever a process deployed or a token subscribed after the look below
        // waits for happens after it (a version starts on, and a token takes, only what follows it),
        // so while nothing listens the events up to this head are nobody's and are not even read.
        let head = events.knownHead
        var listens = try await processes.hasEventStarts()
        if !listens { listens = try await processes.hasEventSubscriptions() }
        listening = listens
        if !listening {
            cursor = max(cursor, head)
            if cursor - savedCursor >= Self.unsavedSkipLimit { try await save(cursor) }
            return
        }
        while true {
            let window = try await events.events(after: cursor, limit: Self.batchSize)
            guard let last = window.last?.sequence else { return }
            let name = Self.consumerName
            let (processes, events) = (self.processes, self.events)
            let conversations = store.conversations
            let reached = try await store.write { tx -> Int64? in
                guard let turn = try await conversations.claimTurn(of: name, in: tx) else { return nil }
                let saved = turn ?? 0
                let fresh = window.filter { $0.sequence > saved }
                guard !fresh.isEmpty else { return saved }
                _ = try await processes.onEvents(fresh, in: tx)
                try await events.savePosition(of: name, at: last, in: tx)
                return last
            }
            if let reached {
                cursor = max(cursor, reached)
                savedCursor = max(savedCursor, reached)
            } else {
                // Another node has the turn: take its position once it saved it.
                try await clock.sleep(for: .milliseconds(20))
                cursor = max(cursor, try await events.consumerPosition(name) ?? cursor)
                savedCursor = max(savedCursor, cursor)
            }
            if window.count < Self.batchSize { return }
        }
    }

    /// Saves a position reached without work, so that a restart does not read that far again.
    private func save(_ position: Int64) async throws {
        let (name, events) = (Self.consumerName, self.events)
        let conversations = store.conversations
        let saved = try await store.write { tx -> Bool in
            guard let turn = try await conversations.claimTurn(of: name, in: tx), (turn ?? 0) < position else { return false }
            try await events.savePosition(of: name, at: position, in: tx)
            return true
        }
        if saved { savedCursor = position }
    }
}
