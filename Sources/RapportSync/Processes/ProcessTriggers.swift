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
    /// Whether some process starts on CRM events; nil: to be read (at start, and after a deploy).
    private var triggers: Bool?

    /// The name its read position is saved under (the processes migration sets it at the head).
    public static let consumerName = "process-triggers"
    static let batchSize = 500
    /// How far it reads past its saved position, while no process starts on events, before it
    /// saves the position anyway (a restart reads at most that much again).
    static let unsavedSkipLimit: Int64 = 5_000

    public init(store: Store, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.processes = store.processes
        self.events = store.events
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            guard try await retryingStart("process triggers", logger: self.logger, clock: self.clock, { try await self.start() }) != nil else { return }
            while !Task.isCancelled {
                await self.store.waitForCommit(after: await self.cursor, timeout: .seconds(1))
                do {
                    try await self.catchUp()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("process triggers failed", metadata: ["error": "\(String(reflecting: error))"])
                    try await self.clock.sleep(for: .seconds(1))
                }
            }
        }
    }

    func start() async throws {
        cursor = try await events.consumerPosition(Self.consumerName) ?? 0
        savedCursor = cursor
    }

    /// Reads the log from the cursor, a window a transaction.
    func catchUp() async throws {
        while true {
            let window = try await events.events(after: cursor, limit: Self.batchSize)
            guard let last = window.last?.sequence else { return }
            if window.contains(where: { $0.type.hasPrefix("rapport.process_definition.") }) { triggers = nil }
            if triggers == nil { triggers = try await processes.hasEventStarts() }
            if triggers == false, last - savedCursor < Self.unsavedSkipLimit, try await !processes.hasEventSubscriptions() {
                // No process starts on events and no token waits for one: nothing to do, and no
                // write (versions deployed and subscriptions made later look only at what follows them).
                cursor = last
                if window.count < Self.batchSize { return }
                continue
            }
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
}
