import Logging
import Metrics
import RapportCore
import RapportStore
import ServiceLifecycle

/// Keeps every standing customer in an in-memory match index, follows the event log, and checks
/// each created or changed customer for duplicates: candidates go to the review queue, and pairs
/// above the auto-merge threshold are merged when that is switched on.
///
/// Every node runs one; proposals are idempotent per pair, so nodes checking the same customer
/// agree. Commits of this node wake it at once, other nodes' within a second.
public actor DuplicateMonitor: Service {
    let store: Store
    /// What its waits, retries and backoffs sleep on; tests give one they advance.
    let clock: any Clock<Duration>
    let customers: any CustomerStore
    let duplicates: any DuplicateStore
    let events: any EventStore
    let logger: Logger
    /// Time to index one customer and find its candidates (`rapport_duplicate_check_duration`).
    let checkTimer = Metrics.Timer(label: "rapport_duplicate_check_duration")
    private var settings = MatchingSettings()
    private var index: MatchIndex?
    private var finder: DuplicateFinder?
    private var modelVersion: Int64 = 0
    private var cursor: Int64 = 0
    /// Below this many customers the model keeps its priors: EM needs data to learn from.
    static let minimumRecordsToTrain = 500
    /// The name its read position is saved under.
    static let consumerName = "duplicate-monitor"
    private var savedCursor: Int64 = 0
    private var lastSave = ContinuousClock.now

    public init(store: Store, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.customers = store.customers
        self.duplicates = store.duplicates
        self.events = store.events
        self.logger = logger
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            guard try await retryingStart("duplicate check", logger: self.logger, clock: self.clock, { try await self.rebuild() }) != nil else { return }
            while !Task.isCancelled {
                await self.store.waitForCommit(after: await self.cursor, timeout: .seconds(1))
                do {
                    try await self.catchUp()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("duplicate check failed", metadata: ["error": "\(String(reflecting: error))"])
                    try await self.clock.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Loads the settings, every standing customer and the newest model (training one when
    /// there is enough data and none was saved).
    func rebuild() async throws {
        // Resumes where the last run stopped, so changes made while no node was checking are
        // checked too; a first run reads the log from the start.
        let position = try await self.events.consumerPosition(Self.consumerName) ?? 0
        settings = try await self.duplicates.matchingSettings()
        let profile = settings.profile
        let built = try await self.duplicates.matchIndex(profile: profile)
        var model = MatchModel(defaultsFor: profile)
        if let stored = try await self.duplicates.latestMatchModel(), stored.model.problems(with: profile).isEmpty {
            model = stored.model
            modelVersion = stored.version
        } else if built.count >= Self.minimumRecordsToTrain {
            let trained = try await self.duplicates.trainMatchModel(index: built, profile: profile, actor: .system)
            model = trained.model
            modelVersion = trained.version
        }
        index = built
        finder = try DuplicateFinder(profile: profile, model: model)
        cursor = max(cursor, position)
        savedCursor = cursor
        logger.info("duplicate index ready", metadata: ["customers": "\(built.count)", "model_version": "\(modelVersion)"])
    }

    /// The event types the monitor acts on; it reads (and parses) no others.
    static let readFilter = EventTypeFilter(types: ["rapport.match_model.trained", "rapport.settings.updated"], prefixes: ["rapport.customer."])

    /// Reads the log from the cursor and checks what changed.
    func catchUp() async throws {
        while true {
            let window = try await self.events.events(after: cursor, limit: 500, matching: Self.readFilter)
            let events = window.events
            guard window.reached > cursor else {
                try await saveCursor()
                return
            }
            var changed: [String] = []
            var removed: Set<String> = []
            var reload = false
            for event in events {
                switch event.type {
                case "rapport.customer.created", "rapport.customer.updated", "rapport.customer.merged", "rapport.customer.restored":
                    changed.append(event.subject)
                case "rapport.customer.deleted", "rapport.customer.absorbed":
                    removed.insert(event.subject)
                case "rapport.match_model.trained":
                    reload = true
                case "rapport.settings.updated" where event.subject == "matching":
                    reload = true
                default:
                    continue
                }
            }
            // New settings or a new model: rebuild, then still check this batch's customers (a
            // batch that held the settings change and new customers used to skip the customers).
            if reload { try await rebuild() }
            for id in removed { _ = index?.remove(id: id) }
            var seen: Set<String> = []
            let ids = changed.filter { !removed.contains($0) && seen.insert($0).inserted }
            try await check(ids)
            // Moved only once the batch is checked: a failure reads it again (proposing is idempotent).
            cursor = max(cursor, window.reached)
            try await saveCursor()
            if events.count < 500 { return }
        }
    }

    /// Saves the read position when it moved, at most once a second: after a crash at most a
    /// second of changes is checked again, which proposes nothing twice.
    private func saveCursor() async throws {
        guard cursor > savedCursor, ContinuousClock.now - lastSave >= .seconds(1) else { return }
        try await self.events.saveConsumerPosition(Self.consumerName, cursor)
        savedCursor = cursor
        lastSave = ContinuousClock.now
    }

    /// Puts each customer's current state in the index and proposes its candidates.
    private func check(_ ids: [String]) async throws {
        guard index != nil, let finder else { return }
        var customers: [(id: String, customer: Customer?)] = []
        for id in ids {
            let customer = try await self.customers.customer(id)
            customers.append((id, customer?.mergedInto == nil ? customer : nil))
        }
        // Taken out of the actor's state while it changes, so the update does not copy it; no
        // suspension point until it is put back.
        guard var current = index else { return }
        index = nil
        var proposals: [ProposedDuplicate] = []
        for (id, customer) in customers {
            guard let customer else {
                _ = current.remove(id: id)
                continue
            }
            let start = ContinuousClock.now
            current.upsert(customer)
            let pairs = settings.online ? finder.candidates(forID: id, in: current) : []
            checkTimer.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
            proposals += pairs.map { ProposedDuplicate($0, finder: finder, index: current) }
        }
        index = current
        guard !proposals.isEmpty else { return }
        let proposed = proposals
        let created = try await store.write { tx in try await self.duplicates.proposeDuplicates(proposed, actor: .system, in: tx) }
        guard settings.autoMerge else { return }
        for candidate in created where candidate.probability >= settings.autoMergeThreshold {
            do {
                _ = try await store.write { tx in
                    try await self.duplicates.decideDuplicate(candidate.id, accept: true, survivorID: nil, overrides: nil, actor: .system, in: tx)
                }
            } catch let error as StoreError {
                // One of the two was merged or deleted meanwhile: nothing left to merge.
                logger.info("automatic merge skipped", metadata: ["candidate": "\(candidate.id)", "reason": "\(error.message)"])
            }
        }
    }

    /// Estimates a model from the index (EM, no labels), refines it with every decided pair, and
    /// saves it as the next version.
    public func retrain(actor: Actor) async throws -> StoredMatchModel {
        guard let index else { throw StoreError(.unavailable, "the duplicate index is still loading") }
        let stored = try await self.duplicates.trainMatchModel(index: index, profile: settings.profile, actor: actor)
        finder = try DuplicateFinder(profile: settings.profile, model: stored.model)
        modelVersion = stored.version
        return stored
    }

    /// What the monitor holds now, for the API.
    public func status() -> JSONValue {
        ["ready": .bool(index != nil), "customers": .integer(Int64(index?.count ?? 0)), "model_version": .integer(modelVersion),
         "log_position": .string(String(cursor)), "settings": settings.json]
    }
}
