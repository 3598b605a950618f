import Logging
import Metrics
import RapportCore
import RapportStore
import ServiceLifecycle

/// Follows the event log and routes what arrives: every stored interaction is threaded into a
/// conversation, classified, matched against the rules and keyword sets, routed to a department
/// and queue, and assigned, in one transaction with the router's log position.
///
/// Every node runs one; each routing transaction first takes the router's turn (on PostgreSQL a
/// transaction-scoped advisory lock, tried without waiting) and skips what the saved position
/// says is done, so a batch is applied by exactly one node. The position starts at the log's head
/// when the routing migration runs, so nothing appended afterwards is missed however late the
/// routers start. Commits of this
/// node wake it at once, other nodes' within a second.
public actor ConversationRouter: Service {
    let store: Store
    /// What its waits, retries and backoffs sleep on; tests give one they advance.
    let clock: any Clock<Duration>
    let conversations: any ConversationStore
    let events: any EventStore
    let organization: any OrganizationStore
    let routing: any RoutingStore
    let logger: Logger
    /// Loads the keyword finder and the classifier from what the store holds.
    let loader: RoutingResourceLoader
    private var resources = RoutingResources()
    private var channels: [String: Channel] = [:]
    private var directory = RoutingDirectory()
    private var cursor: Int64 = 0
    private var loaded = false
    private var modelVersion: Int64?
    /// What the cached resources were built from; answers to the API compare it first.
    private var fingerprint: RoutingFingerprint?
    /// Totals since start, shown by `status()` (the metrics carry the same counts).
    private var totals = (decisions: 0, ruleFailures: 0, skippedEvents: 0)
    /// Routes ingest batches in their own transactions while this router's view is current (SQLite).
    let ingestRouter: IngestRouter
    /// Changes at each load of the resources, so routing at ingest knows which view it routed with.
    private var resourcesVersion = 0

    /// The name its read position is saved under.
    public static let consumerName = "router"
    static let batchSize = 500
    /// Events one routing transaction takes at most: what it reads up front (their conversations,
    /// locked on PostgreSQL) is for these only, not for the whole window read from the log.
    static let transactionSize = 100
    /// How long one routing transaction may run before it commits what it did: ingest's commits
    /// wait on the shared writer meanwhile.
    static let transactionBudget = Duration.milliseconds(50)

    let meters: RoutingMeters

    public init(store: Store, logger: Logger, loader: RoutingResourceLoader,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.conversations = store.conversations
        self.events = store.events
        self.organization = store.organization
        self.routing = store.routing
        self.logger = logger
        self.loader = loader
        self.meters = RoutingMeters(logger: logger)
        self.ingestRouter = IngestRouter(store: store, meters: meters)
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            defer { self.store.routeAtIngest(with: nil) }
            try await self.route()
        }
    }

    /// Starts, then routes what the log brings until cancelled.
    private func route() async throws {
        guard try await retryingStart("routing", logger: logger, clock: clock, { try await start() }) != nil else { return }
        // Where the log's numbers are fixed before commit, ingest routes its batches itself while
        // this router's view is current (`IngestRouter`); what it leaves, this router routes.
        if store.flavor == .sqlite { store.routeAtIngest(with: ingestRouter) }
        while !Task.isCancelled {
            await store.waitForCommit(after: cursor, timeout: .seconds(1))
            do {
                try await catchUp()
                publishBasis()
            } catch is CancellationError {
                return
            } catch {
                logger.error("routing failed", metadata: ["error": "\(String(reflecting: error))"])
                try await self.clock.sleep(for: .seconds(1))
            }
        }
    }

    /// Resumes from the saved position; a first run starts at the log's head (history before
    /// routing existed is not routed after the fact).
    func start() async throws {
        if let position = try await self.events.consumerPosition(Self.consumerName) {
            cursor = position
        } else {
            // The first node to start sets the position; one starting at the same time takes it
            // (a later head of its own would skip what was written in between).
            cursor = try await self.events.startConsumerPosition(Self.consumerName, at: try await self.events.eventLogHead())
        }
        try await reload()
    }

    /// Loads rules, settings, keyword sets, the newest model, channels, departments and queues.
    /// The keyword finder and the model, the costly parts, are rebuilt only when theirs changed.
    func reload() async throws {
        // Read first: a change committed while the rest loads moves the stored fingerprint past
        // this one, so the next comparison reloads again rather than missing it.
        let current = try await self.routing.routingFingerprint()
        let previous = loaded ? fingerprint : nil
        let rules = RuleBook(rules: try await self.routing.routingRules())
        for (rule, reason) in rules.unusable {
            logger.warning("routing rule skipped", metadata: ["rule": "\(rule.id)", "reason": "\(reason)"])
        }
        let settings = try await self.routing.routingSettings()
        var keywords = resources.keywords
        if previous?.keywordSets != current.keywordSets { keywords = try await loader.keywords(routing) }
        var classifier = resources.classifier
        if previous == nil || previous?.classifierVersion != current.classifierVersion {
            (classifier, modelVersion) = try await loader.classifier(routing)
        }
        resources = RoutingResources(rules: rules, settings: settings, keywords: keywords, classifier: classifier)
        fingerprint = current
        channels = Dictionary(uniqueKeysWithValues: try await self.organization.channels().map { ($0.id, $0) })
        directory = try await self.routing.routingDirectory()
        loaded = true
        resourcesVersion += 1
    }

    /// Tells routing at ingest what this router routes with now and that it has routed the log
    /// through its cursor with it (call when caught up).
    private func publishBasis() {
        ingestRouter.publish(IngestRouter.Basis(resources: resources, channels: channels, directory: directory, readFilter: readFilter,
                                                version: resourcesVersion, validThrough: cursor))
    }

    /// Reads the log from the cursor and routes what it finds, in transactions of at most
    /// `transactionBudget` each. Only the event types routing acts on are read (`readFilter`);
    /// the position still moves over the rest.
    func catchUp() async throws {
        while true {
            // What ingest routed in its own commits is done, and the saved position says so.
            if let routed = ingestRouter.routedThrough, routed > cursor { cursor = routed }
            let window = try await self.events.events(after: cursor, limit: Self.batchSize, matching: readFilter)
            guard window.reached > cursor else { return }
            var events = window.events
            var through = window.reached
            // A change to what routing uses ends the window there: what follows is read again
            // with the filter the new rules need.
            if let change = events.firstIndex(where: Self.changesResources) {
                events = Array(events[...change])
                through = events[change].sequence
                try await reload()
            }
            guard !events.isEmpty else {
                // Nothing of routing's in the window: move over it.
                try await self.events.saveConsumerPosition(Self.consumerName, through)
                cursor = through
                continue
            }
            var pass = RoutingPass(conversations: conversations, tasks: store.tasks, notifications: store.notifications, resources: resources,
                                   channels: channels, directory: directory)
            pass.analyses = Self.analyse(events, with: resources)
            var remaining = events[...]
            while !remaining.isEmpty {
                let chunk = remaining.prefix(Self.transactionSize)
                // The window's end moves the position over the other types only with its last chunk.
                let chunkThrough = chunk.count == remaining.count ? through : chunk[chunk.index(before: chunk.endIndex)].sequence
                let reached: Int64?
                do {
                    reached = try await apply(chunk, through: chunkThrough, pass: pass)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // One event the store refuses must not hold up the rest: route them one by one,
                    // and skip (log and count) the one that fails.
                    logger.warning("routing batch failed; routing its events one by one", metadata: ["error": "\(String(reflecting: error))"])
                    reached = try await routeOneByOne(chunk, pass: pass)
                }
                guard let reached else {
                    // Another node has the turn: go on from where it got, within this window while
                    // the window reaches further (the log is read afresh after it).
                    try await waitForTurn()
                    remaining = remaining.drop { $0.sequence <= cursor }
                    continue
                }
                cursor = max(cursor, reached)
                remaining = remaining.drop { $0.sequence <= reached }
            }
        }
    }

    /// The event types routing acts on with the rules it has now: interactions, and what changes
    /// its resources, always; conversations and customers only when rules of theirs exist.
    var readFilter: EventTypeFilter {
        var filter = EventTypeFilter(types: ["rapport.interaction.created", "rapport.classifier_model.trained", "rapport.settings.updated"],
                                     prefixes: ["rapport.routing_rule.", "rapport.keyword_set.", "rapport.channel.", "rapport.department.",
                                                "rapport.queue."])
        if resources.rules.hasRules(for: .conversationCreated) { filter.types.insert("rapport.conversation.created") }
        if resources.rules.hasRules(for: .conversationChanged) { filter.types.insert("rapport.conversation.updated") }
        if resources.rules.hasRules(for: .customerChanged) { filter.types.insert("rapport.customer.updated") }
        return filter
    }

    /// Routes `events` a transaction each, skipping (logging and counting) any the store refuses;
    /// returns the last sequence done, or nil as soon as another node has the turn.
    private func routeOneByOne(_ events: ArraySlice<Event>, pass: RoutingPass) async throws -> Int64? {
        for event in events {
            do {
                guard try await apply([event][...], through: event.sequence, pass: pass) != nil else { return nil }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                meters.eventFailures.increment()
                totals.skippedEvents += 1
                logger.error("routing skipped an event", metadata: ["sequence": "\(event.sequence)", "type": "\(event.type)",
                                                                     "error": "\(String(reflecting: error))"])
                try await self.events.saveConsumerPosition(Self.consumerName, event.sequence)
            }
        }
        return events.last?.sequence
    }

    /// Another node is routing this part of the log: wait a moment, then go on from where it got.
    private func waitForTurn() async throws {
        try await self.clock.sleep(for: .milliseconds(20))
        if let position = try await self.events.consumerPosition(Self.consumerName) { cursor = max(cursor, position) }
    }

    /// Routes the first of `events` in one transaction with the position (their threads and
    /// customers read at once, their links and decisions inserted at once), until the transaction
    /// has taken `transactionBudget` (at least one event, so routing always moves on): the writer
    /// is shared with ingest, whose commits wait while a routing transaction runs. Returns the
    /// position reached, or nil when another node has the turn (nothing was done).
    private func apply(_ events: ArraySlice<Event>, through: Int64, pass: RoutingPass) async throws -> Int64? {
        let name = Self.consumerName
        let budget = Self.transactionBudget
        let outcome = try await store.write { tx -> (reached: Int64, results: [(Timestamp, Int, [RuleFailure])])? in
            guard let turn = try await self.conversations.claimTurn(of: name, in: tx) else { return nil }
            let saved = turn ?? 0
            let started = ContinuousClock.now
            let batch = try await RoutingBatch.prepare(events.filter { $0.sequence > saved }, readsCustomers: pass.readsCustomers,
                                                       conversations: self.conversations, notifications: pass.notifications, in: tx)
            var reached = saved
            var results: [(Timestamp, Int, [RuleFailure])] = []
            var finished = true
            for event in events {
                if event.sequence > saved {
                    if !results.isEmpty, ContinuousClock.now - started >= budget {
                        finished = false
                        break
                    }
                    let result = try await pass.route(event, in: tx, batch: batch)
                    results.append((event.time, result.decisions, result.failedRules))
                }
                reached = max(reached, event.sequence)
            }
            // Done with every event of the window: the position moves over the other types too.
            if finished { reached = max(reached, through) }
            try await batch.flush(in: tx)
            try await self.events.savePosition(of: name, at: reached, in: tx)
            return (reached, results)
        }
        guard let outcome else { return nil }
        let now = Timestamp.now()
        for (time, decisions, failures) in outcome.results {
            totals.decisions += decisions
            totals.ruleFailures += failures.count
            meters.record(decisions: decisions, latencyMicroseconds: now.microseconds - time.microseconds, failures: failures)
        }
        return outcome.reached
    }

    /// Classifies and scans the interactions of a batch, from the records their events carry.
    static func analyse(_ events: [Event], with resources: RoutingResources) -> [String: ContentAnalysis] {
        var analyses: [String: ContentAnalysis] = [:]
        for event in events {
            guard let (id, text) = inboundContent(of: event) else { continue }
            analyses[id] = resources.analyse(text: text)
        }
        return analyses
    }

    /// The id and the text routing analyses of an inbound interaction's `rapport.interaction.created`
    /// event; nil for other events.
    static func inboundContent(of event: Event) -> (id: String, text: String)? {
        guard event.type == "rapport.interaction.created", let record = event.data.objectValue?["interaction"]?.objectValue,
              let id = record["id"]?.stringValue, record["direction"]?.stringValue == InteractionDirection.inbound.rawValue else { return nil }
        return (id, content(subject: record["subject"]?.stringValue, body: record["body"]?.stringValue))
    }

    /// The text routing analyses of a message: its subject and body.
    static func content(subject: String?, body: String?) -> String {
        [subject, body].compactMap { $0 }.joined(separator: "\n")
    }

    /// Events after which rules, settings, keyword sets, the model, channels or departments are reloaded.
    static func changesResources(_ event: Event) -> Bool {
        event.type.hasPrefix("rapport.routing_rule.") || event.type.hasPrefix("rapport.keyword_set.")
            || event.type == "rapport.classifier_model.trained" || event.type.hasPrefix("rapport.channel.")
            || event.type.hasPrefix("rapport.department.") || event.type.hasPrefix("rapport.queue.")
            || (event.type == "rapport.settings.updated" && event.subject == "routing")
    }

    /// What routing would do with a message now, without storing anything (`POST /v1/rules/dry-run`).
    /// `rules` replaces the stored rules when given (to try rules before saving them).
    public func dryRun(_ context: RoutingContext, rules: [RoutingRule]?) async throws -> JSONValue {
        try await reloadIfChanged()
        var resources = self.resources
        if let rules { resources.rules = RuleBook(rules: rules) }
        var context = context
        resources.analyse(&context, at: Timestamp.now())
        var evaluated: [JSONValue] = []
        let outcome = resources.rules.evaluate(context)
        let plan = RoutingPlan.make(outcome: outcome, prediction: context.prediction, settings: resources.settings,
                                    isKnownDepartment: directory.departmentKeys.contains, alreadyRouted: context.conversation?.departmentID != nil)
        for (rule, reason) in resources.rules.unusable {
            evaluated.append(["rule_id": .string(rule.id), "name": .string(rule.name), "reason": .string(reason)])
        }
        var object = plan.record(keywordHits: context.keywordHits, withinBusinessHours: context.withinBusinessHours,
                                 problems: [], result: nil, milliseconds: nil).objectValue ?? JSONObject()
        object["unusable_rules"] = .array(evaluated)
        object["model_version"] = modelVersion.map(JSONValue.integer) ?? .null
        return .object(object)
    }

    /// The prediction of the model routing uses now; nil when none is trained.
    public func predict(_ text: String) async throws -> RoutingPrediction? {
        try await reloadIfChanged()
        return resources.classifier?.predict(text)
    }

    /// Reloads when what the resources were built from has changed since: an answer to the API
    /// reflects every change the API has acknowledged, even before the router reads its event.
    func reloadIfChanged() async throws {
        if loaded, try await self.routing.routingFingerprint() == fingerprint { return }
        try await reload()
    }

    /// What the router holds now, for the API.
    public func status() async throws -> JSONValue {
        try await reloadIfChanged()
        let atIngest = ingestRouter.totals
        return ["ready": .bool(loaded), "log_position": .string(String(cursor)),
                "model_version": modelVersion.map(JSONValue.integer) ?? .null,
                "keyword_sets": .bool(resources.keywords != nil), "settings": resources.settings.json,
                "decisions": .integer(Int64(totals.decisions + atIngest.decisions)),
                "rule_failures": .integer(Int64(totals.ruleFailures + atIngest.ruleFailures)),
                "decisions_at_ingest": .integer(Int64(atIngest.decisions)),
                "skipped_events": .integer(Int64(totals.skippedEvents))]
    }
}

/// Builds the parts of routing that are compiled from stored data: the keyword finder over every
/// keyword set, and the newest classifier model. Given to the router by the server.
public struct RoutingResourceLoader: Sendable {
    public var keywords: @Sendable (any RoutingStore) async throws -> (any KeywordFinding)?
    public var classifier: @Sendable (any RoutingStore) async throws -> ((any ContentPredicting)?, Int64?)

    public init(keywords: @escaping @Sendable (any RoutingStore) async throws -> (any KeywordFinding)?,
                classifier: @escaping @Sendable (any RoutingStore) async throws -> ((any ContentPredicting)?, Int64?)) {
        self.keywords = keywords
        self.classifier = classifier
    }
}
