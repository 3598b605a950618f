import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RapportCore
import RapportStore
import ServiceLifecycle

/// Delivers the event log to webhook subscriptions, at least once and signed (Standard Webhooks).
///
/// Two steps, both driven by commits: the fan-out reads the log from its saved position and
/// queues one delivery per matching subscription, moving the position in the same transaction;
/// the sender leases due deliveries (each to one node of the cluster; per subscription only the
/// oldest pending one of each customer, so a customer's events arrive in order), posts them,
/// and records each attempt,
/// retrying on the schedule, honouring `Retry-After`, disabling on 410, and leaving a dead letter
/// after the last attempt.
public actor WebhookDispatcher: Service {
    static let consumerName = "webhooks"
    let store: Store
    /// What its waits, retries and backoffs sleep on; tests give one they advance.
    let clock: any Clock<Duration>
    let events: any EventStore
    let subscriptions: any SubscriptionStore
    let logger: Logger
    let policy: NetworkAddressPolicy
    /// The lease and retry decisions, made in Core; this actor performs them.
    let sending: WebhookSending
    /// The time attempts and leases are reckoned in.
    let now: @Sendable () -> Timestamp
    /// How sink hosts are looked up (the system resolver, off the cooperative threads).
    let resolve: SinkConnections.Resolve
    /// This node's name on the leases it takes.
    let node = "node-" + String(UUID().uuidString.prefix(8)).lowercased()
    /// How long a lease lasts: longer than one attempt may take, short enough that a dead
    /// node's deliveries are taken over within ten seconds.
    static let lease = Duration.seconds(8)
    /// A receiver gets six seconds to answer; a slower answer counts as a failed attempt.
    static let attemptTimeout = TimeAmount.seconds(6)
    private var filters: [String: (updatedAt: Timestamp, filter: SubscriptionFilter)] = [:]
    /// A subscription as the fan-out needs it besides its filter.
    private typealias Target = (id: String, role: Role, since: Timestamp)
    /// The index over the active subscriptions' filters, the versions it was built from, and its working memory.
    private var subscriptionIndex = SubscriptionIndex<Target>([])
    private var indexedVersions: [(id: String, updatedAt: Timestamp)] = []
    private var indexScratch = SubscriptionIndex<Target>.Scratch()
    /// The events the fan-out queued lately, so sending them does not read them again.
    private var queuedEvents: [Int64: Event] = [:]
    /// Deliveries leased by this node and not yet recorded.
    private var inFlight = 0
    /// Attempts made and not yet written, and whether a task is writing them.
    private var finished: [WebhookAttempt] = []
    private var recording = false
    static let queuedEventsKept: Int64 = 20_000
    /// How far the fan-out has read, and when that was last saved.
    private var position: Int64?
    /// The log position the subscriptions were last read at, while none was active.
    private var subscriptionsReadAt: Int64?
    /// When the last look for due deliveries found none, while no subscription was active.
    private var noneDueAt: Timestamp?
    private var savedAt = ContinuousClock.now

    public init(store: Store, logger: Logger, policy: NetworkAddressPolicy, schedule: RetrySchedule,
                resolve: @escaping @Sendable (String) async -> [String] = HostResolver.lookUp,
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.clock = clock
        self.events = store.events
        self.subscriptions = store.subscriptions
        self.logger = logger
        self.policy = policy
        self.sending = WebhookSending(schedule: schedule, lease: Self.lease, maxInFlight: Self.maxInFlight)
        self.now = now
        self.resolve = resolve
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await self.store.waitUntilSchemaIsCurrent(clock: self.clock)
            self.logger.info("webhook dispatcher running", metadata: ["node": "\(self.node)"])
            let connections = SinkConnections(policy: self.policy, configuration: Self.clientConfiguration, resolve: self.resolve)
            // Deliveries run beside the loop, which goes on leasing while they are in flight: a slow
            // receiver holds up only its own customers' next events, and expired leases of a dead
            // node are taken at the next turn.
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    do {
                        let position = try await self.fanOut()
                        let work = await self.leaseDue()
                        for item in work {
                            group.addTask { await self.send(item.delivery, event: item.event, to: item.sink, signer: item.signer, connections: connections) }
                        }
                        if !work.isEmpty { continue }
                        // A delivery that ends frees its customer's next event, and retries fall due with
                        // time: the wait is short while anything is in flight, and never long.
                        let busy = await self.inFlight > 0
                        await self.store.waitForCommit(after: position, timeout: busy ? .milliseconds(10) : Self.idleLook)
                    } catch is CancellationError {
                        break
                    } catch {
                        self.logger.error("webhook dispatch failed", metadata: ["error": "\(String(reflecting: error))"])
                        try? await self.clock.sleep(for: .seconds(1))
                    }
                }
            }
            await connections.shutdown()
        }
    }

    /// Up to 64 connections to one receiver (the client's default of 8 would queue a busy one's deliveries).
    static let clientConfiguration: HTTPClient.Configuration = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.redirectConfiguration = .disallow
        return configuration
    }()

    /// How often due deliveries are looked for while no subscription is active.
    static let idleLook = Duration.milliseconds(250)

    /// How many deliveries may be in flight from this node at once.
    static let maxInFlight = 256

    /// Queues deliveries for the events after the position; returns the new position. With
    /// deliveries to queue the position moves in their transaction; past events no subscription
    /// wants, it is saved at most once a second (after a crash those are only read again).
    func fanOut() async throws -> Int64 {
        if position == nil { position = try await self.events.consumerPosition(Self.consumerName) ?? 0 }
        var current = position ?? 0
        // The head first: a subscription made after the look below receives only what commits
        // after it (its `since`), so while none is active the events up to this head are nobody's
        // and are not even read. Looked at only while the last look found none: with subscriptions
        // the window below reads them anyway.
        let head = events.knownHead
        if current < head, indexedVersions.isEmpty {
            // Subscriptions change only in commits that log a subscription event: the table is
            // read again after one of those, not at every commit; either way they are known up to
            // the head now.
            if try await subscriptionsChanged(since: subscriptionsReadAt, upTo: head) { _ = try await activeFilters() }
            subscriptionsReadAt = head
            if indexedVersions.isEmpty {
                current = head
                position = current
                if ContinuousClock.now - savedAt >= .seconds(1) {
                    try await self.events.saveConsumerPosition(Self.consumerName, current)
                    savedAt = ContinuousClock.now
                }
                return current
            }
        }
        while true {
            let events = try await self.events.events(after: current, limit: 500)
            guard let last = events.last else { break }
            let index = try await activeFilters()
            var plan: [(event: Event, subscriptionIDs: [String])] = []
            var matched: [Target] = []
            for event in events {
                // The index evaluates only the filters that can match the event's type. A subscription
                // receives what commits from its creation on, and what its creator may read.
                index.matches(event, into: &matched, scratch: &indexScratch)
                plan.append((event: event, subscriptionIDs: matched.filter { subscription in
                    event.time >= subscription.since && EventVisibility.allows(EventReader(role: subscription.role), toSee: event)
                }.map(\.id)))
            }
            current = last.sequence
            for step in plan where !step.subscriptionIDs.isEmpty { queuedEvents[step.event.sequence] = step.event }
            if queuedEvents.count > Int(Self.queuedEventsKept) {
                queuedEvents = queuedEvents.filter { $0.key > current - Self.queuedEventsKept }
            }
            if plan.contains(where: { !$0.subscriptionIDs.isEmpty }) {
                let (moved, plan) = (current, plan)
                try await store.write { tx in try await self.subscriptions.enqueueDeliveries(plan, consumer: Self.consumerName, position: moved, in: tx) }
                savedAt = ContinuousClock.now
            } else if ContinuousClock.now - savedAt >= .seconds(1) {
                try await self.events.saveConsumerPosition(Self.consumerName, current)
                savedAt = ContinuousClock.now
            }
            position = current
            if events.count < 500 { break }
        }
        return current
    }

    /// The events of the commits that add, change, disable or remove subscriptions.
    static let subscriptionChanges = EventTypeFilter(prefixes: ["rapport.subscription."])

    private func subscriptionsChanged(since readAt: Int64?, upTo head: Int64) async throws -> Bool {
        guard let readAt else { return true }
        return try await events.hasEvents(after: readAt, upTo: head, matching: Self.subscriptionChanges)
    }

    /// The index over the active subscriptions' filters, compiled and built again only when an active
    /// subscription is added, removed or updated.
    private func activeFilters() async throws -> SubscriptionIndex<Target> {
        let active = try await self.subscriptions.subscriptions().filter { $0.status == .active }
        let unchanged = active.elementsEqual(indexedVersions) { $0.id == $1.id && $0.updatedAt == $1.updatedAt }
        if unchanged { return subscriptionIndex }
        var compiled: [String: (updatedAt: Timestamp, filter: SubscriptionFilter)] = [:]
        var entries: [(id: Target, filter: SubscriptionFilter)] = []
        for subscription in active {
            let filter: SubscriptionFilter
            if let cached = filters[subscription.id], cached.updatedAt == subscription.updatedAt {
                filter = cached.filter
            } else if let parsed = try? SubscriptionFilter.parse(subscription.filters) {
                filter = parsed
            } else {
                continue
            }
            compiled[subscription.id] = (subscription.updatedAt, filter)
            entries.append((id: (subscription.id, subscription.role, subscription.createdAt), filter: filter))
        }
        filters = compiled
        subscriptionIndex = SubscriptionIndex(entries)
        indexedVersions = active.map { (id: $0.id, updatedAt: $0.updatedAt) }
        return subscriptionIndex
    }

    /// Leases the due deliveries there is room for and prepares them to be sent; each one counts
    /// as in flight until `send` records its attempt.
    func leaseDue() async -> [(delivery: WebhookDelivery, event: Event, sink: String, signer: WebhookSigner)] {
        guard let (room, until) = sending.leaseWindow(inFlight: inFlight, now: now()) else { return [] }
        // With no subscription active and nothing in flight there is nothing to lease (only an
        // active subscription's deliveries are): what is left is looked for as often as the idle
        // loop wakes by itself, not at every commit.
        let idle = indexedVersions.isEmpty && inFlight == 0
        if idle, let noneDueAt, now() < noneDueAt.adding(Self.idleLook) { return [] }
        guard (try? await self.subscriptions.hasDueDeliveries()) == true else {
            noneDueAt = idle ? now() : nil
            return []
        }
        noneDueAt = nil
        let node = self.node
        guard let due = try? await store.write({ tx in try await self.subscriptions.leaseDueDeliveries(owner: node, until: until, limit: room, in: tx) }),
              !due.isEmpty else { return [] }
        // What the deliveries need, read once for the whole round.
        var targets: [String: (subscription: Subscription, signer: WebhookSigner)] = [:]
        var work: [(delivery: WebhookDelivery, event: Event, sink: String, signer: WebhookSigner)] = []
        for delivery in due {
            do {
                if targets[delivery.subscriptionID] == nil, let subscription = try await self.subscriptions.subscription(delivery.subscriptionID) {
                    targets[delivery.subscriptionID] = (subscription, WebhookSigner(secrets: try await self.subscriptions.subscriptionSecrets(subscription.id)))
                }
                let known = queuedEvents[delivery.eventSequence]
                guard let target = targets[delivery.subscriptionID],
                      let event = known == nil ? try await self.events.event(at: delivery.eventSequence) : known else { continue }
                work.append((delivery, event, target.subscription.sink, target.signer))
            } catch {
                logger.error("webhook delivery could not be prepared", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
            }
        }
        inFlight += work.count
        return work
    }

    private func send(_ delivery: WebhookDelivery, event: Event, to sink: String, signer: WebhookSigner, connections: SinkConnections) async {
        let start = ContinuousClock.now
        let result = await post(event, to: sink, signer: signer, attempt: delivery.attempts + 1, connections: connections)
        let latency = Int((ContinuousClock.now - start).nanoseconds / 1_000_000)
        await finish(sending.attempt(of: delivery.id, attemptsBefore: delivery.attempts, status: result.status,
                                     retryAfter: result.retryAfter, note: result.note, latencyMilliseconds: latency, now: now()))
    }

    /// Queues an attempt to be recorded. The task that finds no write under way writes every
    /// queued attempt, batch after batch, until none is left; the others return at once. A
    /// delivery stays in flight (and leased) until its attempt is written.
    private func finish(_ attempt: WebhookAttempt) async {
        finished.append(attempt)
        guard !recording else { return }
        recording = true
        while !finished.isEmpty {
            let batch = finished
            finished = []
            do {
                try await store.write { tx in try await self.subscriptions.recordAttempts(batch, in: tx) }
            } catch {
                // The leases lapse and the deliveries are sent again: at least once, never lost.
                logger.error("webhook attempts failed to record", metadata: ["attempts": "\(batch.count)", "error": "\(error)"])
            }
            inFlight -= batch.count
        }
        recording = false
    }

    /// What one attempt came to: an HTTP status with its `Retry-After` and the start of the body,
    /// or an error before any answer.
    struct AttemptResult {
        var status: Int?
        var retryAfter: String?
        var note: String?
    }

    private func post(_ event: Event, to sink: String, signer: WebhookSigner, attempt: Int, connections: SinkConnections) async -> AttemptResult {
        guard let host = URLComponents(string: sink)?.host, !host.isEmpty else { return AttemptResult(note: "the sink has no host") }
        let client: HTTPClient
        switch await connections.client(for: host) {
        case .success(let pinned): client = pinned
        case .failure(let refusal): return AttemptResult(note: "refused: \(refusal.reason)")
        }
        let body = event.cloudEvent.serialized()
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: sink)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/cloudevents+json")
        request.headers.add(name: "webhook-id", value: event.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signer.signature(id: event.id, timestamp: timestamp, body: body))
        request.headers.add(name: "user-agent", value: "Rapport-Webhooks/1")
        // Which attempt this is and which node made it, for the receiver's logs.
        request.headers.add(name: "rapport-attempt", value: String(attempt))
        request.headers.add(name: "rapport-node", value: node)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: Self.attemptTimeout)
            let answer = try await response.body.collect(upTo: 64 * 1_024)
            let excerpt = String(decoding: answer.readableBytesView.prefix(500), as: UTF8.self)
            return AttemptResult(status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"),
                                 note: excerpt.isEmpty ? nil : excerpt)
        } catch {
            return AttemptResult(note: "\(error)")
        }
    }
}
