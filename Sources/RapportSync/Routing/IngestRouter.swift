import Logging
import RapportCore
import RapportStore
import Synchronization

/// Routes an ingest batch's interactions in the transaction that stores them, so their decisions
/// commit with them and the writer is not taken a second time for them.
///
/// It routes exactly as the router would and only when the router's order is kept: everything
/// logged before the batch is routed (the router's saved position is the log's head), with what
/// the router published as current there (or what it published and this has routed with since);
/// and the batch logs nothing else routing reads (a rule, a setting, a conversation event when
/// rules watch them). Otherwise, or when routing fails, it leaves the batch to the router, which
/// reads its events as before. Only on SQLite, where the log's numbers are fixed before commit
/// (`WriteTransaction.pendingEventsNumbered`). While a model classifies, only a batch whose
/// messages were analysed before the write (`prepare`, off the writer) with what it routes with.
final class IngestRouter: IngestRouting {
    /// What the router routes with, and how far it has routed with it.
    struct Basis: Sendable {
        var resources: RoutingResources
        var channels: [String: Channel]
        var directory: RoutingDirectory
        /// The event types the router reads with these resources.
        var readFilter: EventTypeFilter
        /// Changes whenever the router loads its resources again.
        var version: Int
        /// The log position through which everything is routed with these resources.
        var validThrough: Int64
    }

    private struct State {
        var basis: Basis?
        /// The position the last batch routed here saved, committed, with `basis`'s version.
        var routedThrough: Int64?
        var decisions = 0
        var ruleFailures = 0
    }

    private let state = Mutex(State())
    private let conversations: any ConversationStore
    private let tasks: any TaskStore
    private let notifications: any NotificationStore
    private let events: any EventStore
    private let meters: RoutingMeters

    init(store: Store, meters: RoutingMeters) {
        self.conversations = store.conversations
        self.tasks = store.tasks
        self.notifications = store.notifications
        self.events = store.events
        self.meters = meters
    }

    /// The router has routed through `basis.validThrough` with `basis`.
    func publish(_ basis: Basis) {
        state.withLock { state in
            if state.basis?.version != basis.version { state.routedThrough = nil }
            state.basis = basis
        }
    }

    /// The log position through which batches routed here have committed (with the current basis);
    /// the router moves over them without reading them.
    var routedThrough: Int64? { state.withLock { $0.routedThrough } }

    /// Decisions made and rule failures met here, for the router's status.
    var totals: (decisions: Int, ruleFailures: Int) { state.withLock { ($0.decisions, $0.ruleFailures) } }

    /// The content's analysis with what the router routes with now, made before the write; routing
    /// at ingest uses it if the router still routes with that then (`routeIngested`).
    func prepare(_ new: NewInteraction) -> PreparedRouting? {
        guard new.direction == .inbound, let basis = state.withLock({ $0.basis }) else { return nil }
        let text = ConversationRouter.content(subject: new.subject, body: new.body)
        return PreparedRouting(text: text, analysis: basis.resources.analyse(text: text), basisVersion: basis.version)
    }

    func routeIngested(in tx: WriteTransaction) async throws {
        let name = ConversationRouter.consumerName
        let (basis, routedThrough) = state.withLock { ($0.basis, $0.routedThrough) }
        guard let basis else { return }
        guard let (head, pending) = try await tx.pendingEventsNumbered() else { return }
        var created: [Event] = []
        for event in pending {
            if event.type == Self.interactionCreated {
                created.append(event)
            } else if basis.readFilter.matches(event.type) {
                return
            }
        }
        guard !created.isEmpty else { return }
        guard case .some(.some(let saved)) = try await conversations.claimTurn(of: name, in: tx), saved == head,
              saved == basis.validThrough || saved == routedThrough else { return }
        let threaded = conversations.threadedAtIngest(in: tx)
        guard created.allSatisfy({ Self.isThreadedOrNotConversation($0, threaded: threaded) }) else { return }
        var pass = RoutingPass(conversations: conversations, tasks: tasks, notifications: notifications, resources: basis.resources,
                               channels: basis.channels, directory: basis.directory)
        guard let analyses = Self.analyses(of: created, prepared: tx.preparedRoutings, basis: basis) else { return }
        pass.analyses = analyses
        var results: [RoutingPass.Result] = []
        var reached: Int64?
        let failure = try await tx.attempt("routing_at_ingest") { tx in
            let batch = try await RoutingBatch.atIngest(threaded: threaded, readsCustomers: pass.readsCustomers,
                                                        conversations: conversations, notifications: notifications, in: tx)
            for event in created { results.append(try await pass.route(event, in: tx, batch: batch)) }
            try await batch.flush(in: tx)
            // The last event routing appended, numbered as the batch's will be (after `head`).
            let through = head + Int64(tx.pendingEventCount)
            try await events.savePosition(of: name, at: through, in: tx)
            reached = through
        }
        if let failure {
            meters.logger.warning("routing at ingest failed; the router routes the batch", metadata: ["error": "\(String(reflecting: failure))"])
            return
        }
        guard let reached else { return }
        let version = basis.version
        tx.afterCommit { [self, results] in committed(through: reached, version: version, results: results) }
    }

    /// A batch routed here has committed: later batches may follow it, the router move over it.
    private func committed(through position: Int64, version: Int, results: [RoutingPass.Result]) {
        state.withLock { state in
            if state.basis?.version == version { state.routedThrough = position }
            state.decisions += results.reduce(0) { $0 + $1.decisions }
            state.ruleFailures += results.reduce(0) { $0 + $1.failedRules.count }
        }
        // Decided in the interactions' own commit: no time passes between the two.
        for result in results { meters.record(decisions: result.decisions, latencyMicroseconds: 0, failures: result.failedRules) }
    }

    static let interactionCreated = "rapport.interaction.created"

    /// The content analyses of the batch's inbound interactions: as prepared before the write when
    /// made with `basis` for the same text, else made here. Nil when one would have to be made
    /// here while a model classifies: a model's prediction is not worked out on the writer.
    static func analyses(of created: [Event], prepared: [String: PreparedRouting], basis: Basis) -> [String: ContentAnalysis]? {
        var analyses: [String: ContentAnalysis] = [:]
        for event in created {
            guard let (id, text) = ConversationRouter.inboundContent(of: event) else { continue }
            if let ready = prepared[id], ready.basisVersion == basis.version, ready.text == text {
                analyses[id] = ready.analysis
            } else if basis.resources.classifies {
                return nil
            } else {
                analyses[id] = basis.resources.analyse(text: text)
            }
        }
        return analyses
    }

    /// Whether routing the interaction of `event` needs nothing that threading at ingest did not
    /// do: it is in a conversation threading made for it, or of a kind that is never in one.
    static func isThreadedOrNotConversation(_ event: Event, threaded: [String: Conversation]) -> Bool {
        guard let record = event.data.objectValue?["interaction"]?.objectValue, let id = record["id"]?.stringValue else { return false }
        if threaded[id] != nil { return true }
        guard let kind = record["kind"]?.stringValue.flatMap(InteractionKind.init(rawValue:)) else { return false }
        return !ConversationThreading.conversationalKinds.contains(kind)
    }
}

extension RoutingResources {
    /// Whether routing runs a model over each message (kept off the writer).
    var classifies: Bool { classifier != nil && settings.classifierEnabled }
}
