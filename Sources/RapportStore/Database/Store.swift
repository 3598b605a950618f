import Logging
import RapportCore
import SQLKit
import ServiceLifecycle
import Synchronization

/// Rapport's storage: migrations, the single group-committing writer, readers and the event log.
///
/// Run it as a `Service` (or inside `Store.withRunning`) so that its writer and pools work.
public final class Store: Service, Sendable {
    public let location: StoreLocation
    let driver: any DatabaseDriver
    let writer: StoreWriter
    public let ids: RecordIDGenerator
    let clock: @Sendable () -> Timestamp
    /// Versions of fields, for the writer and for writes prepared before it (`PreparedCustomer`).
    let hybridClock = StoreHybridClock()
    let logger: Logger
    private let commits = CommitFeed()
    /// This process's latest events (filtered reads take what they cover from memory), and the
    /// types of its commits over a longer stretch (they pass over what surely has none of theirs).
    let recentEvents = RecentEvents()
    let recentCommitTypes = RecentCommitTypes()
    /// Where commits are visible before they are durable (SQLite), what of the log is not yet.
    let undurable: UndurableEvents?
    /// Who can be mentioned, kept between notes (see `MentionDirectoryCache`).
    let mentionDirectories = MentionDirectoryCache()
    /// Deployed process versions, parsed once.
    let processDefinitions = ProcessDefinitionCache()
    /// What process actions need from the server.
    let processActionEnvironment = ProcessActionEnvironment()
    /// What routes interactions in the transaction that ingests them, when anything does.
    let ingestRouting = IngestRoutingSlot()

    /// Opens the database; call `migrate()` (or run the service, which migrates) before use.
    public static func open(_ location: StoreLocation, logger: Logger,
                            clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                            ids: RecordIDGenerator = .shared) async throws -> Store {
        let driver: any DatabaseDriver = switch location {
        case .sqlite(let directory): try await SQLiteDriver.open(directory: directory, logger: logger)
        case .postgres(let url): try PostgresDriver(url: url, logger: logger)
        }
        return Store(location: location, driver: driver, ids: ids, clock: clock, logger: logger)
    }

    private init(location: StoreLocation, driver: any DatabaseDriver, ids: RecordIDGenerator,
                 clock: @escaping @Sendable () -> Timestamp, logger: Logger) {
        self.location = location
        self.driver = driver
        self.ids = ids
        self.clock = clock
        self.logger = logger
        let commits = self.commits
        let (recentEvents, recentCommitTypes) = (self.recentEvents, self.recentCommitTypes)
        let undurable = driver.durability.visibleBeforeDurable ? UndurableEvents() : nil
        self.undurable = undurable
        self.writer = StoreWriter(driver: driver, ids: ids, clock: clock, hybridClock: hybridClock, logger: logger,
                                  undurable: undurable) { events in
            recentEvents.record(events)
            recentCommitTypes.record(events)
            commits.publish(events)
        }
    }

    public var flavor: SQLFlavor { driver.flavor }

    /// Runs the connection pools and the writer until cancelled or shut down gracefully;
    /// jobs already queued are committed before it returns.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.driver.run() }
            group.addTask {
                // Other nodes' commits wake this node's waiters as its own do.
                await self.driver.followCommits { head in self.commits.advance(to: head) }
            }
            await cancelWhenGracefulShutdown {
                await withTaskCancellationHandler {
                    await self.writer.run()
                } onCancel: {
                    self.writer.stop()
                }
            }
            // The writer has drained its queue; now the pools may go.
            group.cancelAll()
        }
    }

    /// Opens `location`, runs the store while `body` uses it, then shuts it down.
    public static func withRunning<T: Sendable>(
        _ location: StoreLocation, logger: Logger, migrate: Bool = true,
        clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
        _ body: @Sendable (Store) async throws -> T
    ) async throws -> T {
        let store = try await Store.open(location, logger: logger, clock: clock)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try? await store.run() }
                defer { group.cancelAll() }
                if migrate { try await store.migrate() }
                return try await body(store)
            }
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Applies pending migrations; returns the versions applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let applied = try await Migrator.migrate(driver: driver, ids: ids, clock: clock, logger: logger)
        commits.advance(to: try await read { try await EventLog.head(on: $0) })
        return applied
    }

    /// Whether every migration this build knows has been applied (false while `migrate` runs).
    public func schemaIsCurrent() async -> Bool {
        let newest = Migrations.all.last?.version ?? 0
        let applied = try? await read { database in
            try await database.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?.decode(column: "v", as: Int?.self)
        }
        return (applied ?? nil) == newest
    }

    /// Returns once every migration this build knows has been applied (by this process or by
    /// another node), looking again every `interval` of `clock`. Background workers wait here
    /// before their first read.
    public func waitUntilSchemaIsCurrent(clock: any Clock<Duration> = ContinuousClock(),
                                         interval: Duration = .milliseconds(100)) async throws {
        while await !schemaIsCurrent() {
            try await clock.sleep(for: interval)
        }
    }

    public func close() async {
        writer.stop()
        await driver.close()
    }

    /// Runs `work` in the next group commit; returns after that commit is durable.
    /// `prefetch` names what `work` will look up, so a whole batch reads it in one statement.
    public func write<T: Sendable>(prefetch: WritePrefetch,
                                   _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        try await writer.write(prefetch: prefetch, work)
    }

    /// Queues `work` for the next group commit now, behind every write sent before it, and returns
    /// at once: writes sent one after another commit in that order, while their caller goes on.
    public func send<T: Sendable>(prefetch: WritePrefetch,
                                  _ work: @escaping @Sendable (WriteTransaction) async throws -> T) -> PendingWrite<T> {
        writer.send(prefetch: prefetch, work)
    }

    /// Runs `work` as a write would run, in a transaction of its own that is rolled back; returns
    /// what it returned (a dry run: every check of the write, nothing written, no event).
    public func rehearse<T: Sendable>(prefetch: WritePrefetch = .nothing,
                                      _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        try await writer.rehearse(prefetch: prefetch, work)
    }

    /// Runs `body` on a reading connection.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await driver.withReader(body)
    }

    /// The highest sequence this process committed or saw at start.
    public var knownHead: Int64 { commits.head }

    /// Waits until an event after `sequence` commits, or `timeout` passes. On PostgreSQL every
    /// node's commits count; on SQLite this process's.
    public func waitForCommit(after sequence: Int64, timeout: Duration) async {
        await commits.wait(after: sequence, timeout: timeout)
    }

    /// How many tasks of this process are waiting in `waitForCommit` (long polls, streams, followers).
    public var commitWaiters: Int { commits.waiting }

    /// Whether the database answers.
    public func ping() async -> Bool {
        do {
            _ = try await read { try await $0.raw("SELECT 1 AS one").first() }
            return true
        } catch {
            return false
        }
    }
}
