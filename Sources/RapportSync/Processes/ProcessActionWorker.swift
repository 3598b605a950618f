import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RapportAMQP
import RapportCore
import RapportFlow
import RapportStore
import ServiceLifecycle
import Synchronization

/// Rapport's own job worker for process actions that reach outside (`rapport.webhook`,
/// `rapport.amqp`): takes their jobs as any worker does, with a short lock it renews while it works
/// on them (so if this node dies the lock lapses within seconds and another node takes the job),
/// does the call with the job's id as its idempotency key, and completes the job or fails it —
/// tried again after a growing pause, an incident when its attempts are used up. At least once.
public struct ProcessActionWorker: Service {
    static let types = BuiltInAction.Kind.allCases.filter(\.isExternal).map(\.rawValue)
    static let attemptTimeout: TimeAmount = .seconds(15)
    /// The events of the commits that make, move or end process jobs.
    static let jobChanges = EventTypeFilter(prefixes: ["rapport.process."])

    let store: Store
    let processes: any ProcessStore
    let subscriptions: any SubscriptionStore
    let events: any EventStore
    let policy: NetworkAddressPolicy
    /// The message queue `rapport.amqp` publishes to; nil: none is configured (an incident).
    let broker: (configuration: AMQPConfiguration, exchange: String)?
    let logger: Logger
    let clock: any Clock<Duration>
    /// How long a job stays locked without renewal: a dead node's jobs are taken again after it.
    let lock: Duration
    /// How often the locks of the jobs still at work are renewed.
    let lockRenewal: Duration
    let node = "rapport:\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    public init(store: Store, policy: NetworkAddressPolicy, broker: (configuration: AMQPConfiguration, exchange: String)? = nil, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(), lock: Duration = .seconds(6), lockRenewal: Duration = .seconds(2)) {
        self.store = store
        self.processes = store.processes
        self.subscriptions = store.subscriptions
        self.events = store.events
        self.policy = policy
        self.broker = broker
        self.logger = logger
        self.clock = clock
        self.lock = lock
        self.lockRenewal = lockRenewal
    }

    public func run() async throws {
        try await untilGracefulShutdown {
            try await store.waitUntilSchemaIsCurrent(clock: clock)
            let reach = Reach(sinks: SinkConnections(policy: policy, configuration: WebhookDispatcher.clientConfiguration),
                              broker: broker.map { ActionBroker(configuration: $0.configuration, defaultExchange: $0.exchange, logger: logger) })
            defer { Task { await reach.sinks.shutdown(); await reach.broker?.close() } }
            // What the last read of the jobs found: when the next is due, as of which log position.
            var looked: (head: Int64, due: Timestamp?)?
            while !Task.isCancelled {
                let head = events.knownHead
                do {
                    // A read first: the write that takes jobs joins the writer's group only when a
                    // job is due, not at every commit of the log. And that read only after commits
                    // that may have made or moved jobs (they log process events), or once the job
                    // it found last is due: not at every commit either.
                    let due: Timestamp?
                    if let last = looked, last.due.map({ $0 > processes.now() }) ?? true,
                       try await !events.hasEvents(after: last.head, upTo: head, matching: Self.jobChanges) {
                        due = last.due
                    } else {
                        due = try await processes.nextJobAvailable(types: Self.types)
                    }
                    // Known up to the head now either way: the next look starts there.
                    looked = (head, due)
                    let dueIn = due.map { Duration.microseconds(max(0, $0.microseconds - processes.now().microseconds)) }
                    if dueIn == .zero {
                        // Taking, doing or failing jobs changes them: look again after.
                        looked = nil
                        if try await turn(reach) > 0 { continue }
                    }
                    // Every job is made by a commit, and one tried again waits until its time; one
                    // due that another node took meanwhile is looked at again shortly.
                    let wait: Duration = if let dueIn { dueIn == .zero ? .milliseconds(100) : min(.seconds(30), dueIn) } else { .seconds(30) }
                    await events.waitForCommit(after: head, timeout: wait)
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("process actions failed", metadata: ["error": "\(String(reflecting: error))"])
                    do { try await clock.sleep(for: .seconds(1)) } catch { return }
                }
            }
        }
    }

    /// What the actions reach: webhook sinks, the broker.
    struct Reach: Sendable {
        let sinks: SinkConnections
        let broker: ActionBroker?
    }

    /// Takes the jobs free now and does them; how many there were.
    func turn(_ reach: Reach) async throws -> Int {
        let processes = self.processes
        let node = self.node
        var taken: [ActivatedJob] = []
        for type in Self.types {
            taken += try await store.write { tx in try await processes.activateJobs(type: type, worker: node, limit: 16, lock: lock, in: tx) }
        }
        guard !taken.isEmpty else { return 0 }
        let working = WorkingJobs(taken.map(\.job.id))
        let renewal = Task { await keepLocked(working) }
        await withTaskGroup(of: Void.self) { group in
            for job in taken {
                group.addTask {
                    await self.perform(job, reach: reach)
                    working.finished(job.job.id)
                }
            }
        }
        renewal.cancel()
        return taken.count
    }

    /// Renews the locks of the jobs still at work until cancelled (a webhook may take up to its
    /// attempt timeout, longer than a lock).
    private func keepLocked(_ working: WorkingJobs) async {
        let processes = self.processes
        let node = self.node
        while !Task.isCancelled {
            do { try await clock.sleep(for: lockRenewal) } catch { return }
            let ids = working.ids
            guard !ids.isEmpty, !Task.isCancelled else { return }
            do {
                try await store.write { tx in try await processes.extendJobLocks(ids, worker: node, until: tx.now().adding(lock), in: tx) }
            } catch {
                logger.warning("process action locks not renewed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func perform(_ activated: ActivatedJob, reach: Reach) async {
        let job = activated.job
        let payload = job.payload?.objectValue ?? JSONObject()
        let inputs = payload["inputs"]?.objectValue ?? JSONObject()
        let result = payload["result"]?.stringValue
        let outcome = switch BuiltInAction.Kind(rawValue: job.type) {
        case .webhook: await callWebhook(job, inputs: inputs, connections: reach.sinks)
        case .amqp: await publish(job, inputs: inputs, on: reach.broker)
        default: Outcome.failed("\(job.type) is not one of Rapport's external actions", permanent: true)
        }
        let processes = self.processes
        let actor = Actor(kind: .system, id: "process:\(activated.process)")
        do {
            switch outcome {
            case .done(let status):
                let outcome: JSONValue = .object(["status": .integer(Int64(status))])
                let variables: [String: JSONValue] = result.map { [$0: outcome] } ?? [:]
                _ = try await store.write { tx in try await processes.completeJob(job.id, variables: variables, by: actor, in: tx) }
            case .failed(let why, let permanent):
                // 1 s, 4 s, 16 s, 64 s between attempts.
                let pause = Duration.seconds(Int64(pow(4.0, Double(max(0, SQLProcessStore.actionAttempts - Int(job.retries))))))
                _ = try await store.write { tx in
                    try await processes.failJob(job.id, message: "\(job.node) (\(job.type)): \(why)", retries: permanent ? 0 : nil,
                                                retryAfter: pause, by: actor, in: tx)
                }
            }
        } catch let error as StoreError where error.code == .notFound || error.code == .conflict {
            // The token moved on meanwhile (an interrupting boundary event, a cancel): nothing waits for it.
            logger.info("process action no longer awaited", metadata: ["job": "\(job.id)", "reason": "\(error.message)"])
        } catch {
            // The lock lapses and the job is taken again: at least once.
            logger.error("process action outcome not recorded", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    enum Outcome {
        case done(status: Int)
        /// `permanent`: trying again cannot help (no such webhook).
        case failed(String, permanent: Bool)
    }

    /// Publishes the body, persistent and mandatory, with the job's id as message id.
    private func publish(_ job: ProcessJob, inputs: JSONObject, on broker: ActionBroker?) async -> Outcome {
        guard let broker else { return .failed("no message queue is configured (--amqp-url)", permanent: true) }
        guard let routingKey = inputs["routing_key"]?.stringValue, !routingKey.isEmpty, routingKey.utf8.count <= 255 else {
            return .failed("routing_key must be text of at most 255 bytes", permanent: true)
        }
        let exchange = inputs["exchange"]?.stringValue
        var properties = AMQPBasicProperties.persistent
        properties.contentType = "application/json"
        properties.messageID = job.id
        properties.appID = "rapport"
        properties.type = "rapport.process.action"
        properties.headers = ["rapport-process-instance": .string(job.instanceID), "rapport-process-element": .string(job.node),
                              "rapport-node": .string(node)]
        do {
            switch try await broker.publish(exchange: exchange, routingKey: routingKey, body: (inputs["body"] ?? .object(JSONObject())).serialized(),
                                            properties: properties) {
            case .acked, .sent: return .done(status: 200)
            case .nacked: return .failed("the broker refused the message (basic.nack)", permanent: false)
            case .returned(let returned):
                return .failed("no queue is bound for \(routingKey) on \(exchange ?? broker.defaultExchange): returned (\(returned.replyText))", permanent: false)
            }
        } catch let error as AMQPError where error.replyCode == 404 {
            return .failed("the exchange \(exchange ?? broker.defaultExchange) does not exist: \(error)", permanent: true)
        } catch {
            return .failed("the message could not be published: \(error)", permanent: false)
        }
    }

    /// POSTs the body to the subscription's sink, signed as its deliveries are.
    private func callWebhook(_ job: ProcessJob, inputs: JSONObject, connections: SinkConnections) async -> Outcome {
        guard let id = inputs["webhook"]?.stringValue else { return .failed("webhook must be a webhook subscription's id", permanent: true) }
        let subscription: Subscription
        let signer: WebhookSigner
        do {
            guard let found = try await subscriptions.subscription(id) else { return .failed("no webhook subscription has the id \(id)", permanent: true) }
            guard found.status == .active else { return .failed("the webhook subscription \(id) is disabled", permanent: true) }
            subscription = found
            signer = WebhookSigner(secrets: try await subscriptions.subscriptionSecrets(id))
        } catch {
            return .failed("the webhook subscription could not be read: \(error)", permanent: false)
        }
        guard let host = URLComponents(string: subscription.sink)?.host, !host.isEmpty else { return .failed("the sink has no host", permanent: true) }
        let client: HTTPClient
        switch await connections.client(for: host) {
        case .success(let pinned): client = pinned
        case .failure(let refusal): return .failed("refused: \(refusal.reason)", permanent: true)
        }
        let body = (inputs["body"] ?? .object(JSONObject())).serialized()
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: subscription.sink)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "webhook-id", value: job.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signer.signature(id: job.id, timestamp: timestamp, body: body))
        request.headers.add(name: "user-agent", value: "Rapport-Processes/1")
        request.headers.add(name: "rapport-process-instance", value: job.instanceID)
        request.headers.add(name: "rapport-process-element", value: job.node)
        request.headers.add(name: "rapport-node", value: node)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: Self.attemptTimeout)
            let answer = try await response.body.collect(upTo: 64 * 1_024)
            let code = Int(response.status.code)
            guard (200..<300).contains(code) else {
                let excerpt = String(decoding: answer.readableBytesView.prefix(300), as: UTF8.self)
                return .failed("the webhook answered \(code)\(excerpt.isEmpty ? "" : ": \(excerpt)")", permanent: code == 410)
            }
            return .done(status: code)
        } catch {
            return .failed("the webhook could not be reached: \(error)", permanent: false)
        }
    }
}

/// The ids of the jobs a turn of the worker is still working on.
final class WorkingJobs: Sendable {
    private let working: Mutex<Set<String>>

    init(_ ids: [String]) {
        working = Mutex(Set(ids))
    }

    var ids: [String] { working.withLock { Array($0) } }

    func finished(_ id: String) {
        _ = working.withLock { $0.remove(id) }
    }
}
