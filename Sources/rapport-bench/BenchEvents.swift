import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportServer
import RapportStore
import RapportSync
import ServiceLifecycle
import Synchronization

extension Bench {
    /// Commit-to-client latency of the live event stream (SSE) and of webhooks at fixed offered
    /// loads, with the server, a webhook receiver and the SSE client all in this process.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure event delivery latency: SSE (GET /v1/events/stream) and webhooks, at offered event rates.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Offered loads in events per second, comma separated; each is one phase.")
        var rates = "1000,5000"

        @Option(help: "Seconds of load per phase (the warm-up included).")
        var duration: Double = 15

        @Option(help: "Seconds at the start of each phase whose events are left out of the latency figures.")
        var warmup: Double = 2

        @Option(help: "Seconds to wait after the load for events still on their way; what has not arrived then is lost.")
        var drain: Double = 30

        @Option(help: "Customers the interactions are spread over (webhooks keep each customer's events in order).")
        var customers = 40

        @Option(help: "Writes in flight at most; beyond it the generator waits (and the achieved rate shows it).")
        var maxInFlight = 20_000

        func run() async throws {
            let offered = rates.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !offered.isEmpty, offered.allSatisfy({ $0 > 0 }) else { throw ValidationError("--rates must list positive rates, e.g. 1000,5000") }
            guard duration > warmup, customers > 0, maxInFlight > 0 else {
                throw ValidationError("--duration must exceed --warmup; --customers and --max-in-flight must be positive")
            }
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            let receiverPort = PortSlot()
            let sseLog = ReceiptLog<Int64>()
            let webhookLog = ReceiptLog<String>()
            let receiver = webhookReceiver(log: webhookLog, port: receiverPort, logger: logger)
            var rows: [String] = []
            try await BenchServer.run(databaseURL: databaseURL, logger: logger, companions: [receiver], configuration: { location in
                ServerConfiguration(host: "127.0.0.1", port: 0, store: location, webhooksAllowPrivate: true,
                                    webhookRetrySchedule: RetrySchedule(listing: "0,1s,2s,5s") ?? .standard)
            }) { server in
                let sink = "http://127.0.0.1:\(try await receiverPort.wait())/hook"
                let setup = try await prepare(server.store)
                print("rapport-bench events: store \(server.location), server on port \(server.port), \(customers) customers, "
                    + "\(duration) s per rate (first \(warmup) s not measured), \(ProcessInfo.processInfo.activeProcessorCount) cores")
                for rate in offered {
                    let phase = Phase(store: server.store, port: server.port, secret: setup.secret, channelID: setup.channelID,
                                      identities: setup.identities, eventsPerWrite: setup.eventsPerWrite, sink: sink,
                                      sseLog: sseLog, webhookLog: webhookLog, rate: rate, duration: duration, warmup: warmup,
                                      drain: drain, maxInFlight: maxInFlight)
                    let result = try await phase.run()
                    print(result.summary)
                    rows.append(result.row(store: server.storeName))
                }
            }
            print("\n| store | offered events/s | achieved events/s | SSE p50 | SSE p99 | SSE max | SSE delivered | "
                + "webhook p50 | webhook p99 | webhook max | webhook delivered | webhook deliveries/s |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for row in rows { print(row) }
        }

        /// An admin key for the SSE client, a channel, and the customers (created before any
        /// phase, so each write of a phase makes one interaction and its events only); then one
        /// write to learn how many events a write makes.
        private func prepare(_ store: Store) async throws -> (secret: String, channelID: String, identities: [Identity], eventsPerWrite: Int) {
            let secret = try await store.write { tx in
                try await store.access.issueAPIKey(APIKeyRequest(name: "bench events", role: .admin), actor: .system, in: tx).secret
            }
            let channel = try await store.write { tx in
                try await store.organization.insertChannel(kind: .api, name: "bench events \(UUID().uuidString.prefix(8))", settings: [:], actor: .system, in: tx)
            }
            let run = UUID().uuidString.prefix(8).lowercased()
            let identities = (0..<customers).map { Identity(kind: .email, value: "events-\(run)-\($0)@example.com") }
            try await withThrowingDiscardingTaskGroup { group in
                for (number, identity) in identities.enumerated() {
                    let new = NewInteraction(channelID: channel.id, party: .identity(identity), customerName: "Customer \(number)",
                                             body: "first contact", externalID: "events-\(run)-first-\(number)")
                    group.addTask { _ = try await store.write(prefetch: .ingest(new)) { tx in try await store.interactions.ingestInteraction(new, actor: .system, in: tx) } }
                }
            }
            let head = try await store.events.eventLogHead()
            let probe = NewInteraction(channelID: channel.id, party: .identity(identities[0]), body: "probe", externalID: "events-\(run)-probe")
            _ = try await store.write(prefetch: .ingest(probe)) { tx in try await store.interactions.ingestInteraction(probe, actor: .system, in: tx) }
            let eventsPerWrite = max(1, Int(try await store.events.eventLogHead() - head))
            return (secret, channel.id, identities, eventsPerWrite)
        }
    }
}

extension Bench.Events {
    /// One offered rate: a fresh subscription and SSE connection, the load, the wait for
    /// stragglers, and the figures over the events committed after the warm-up.
    struct Phase {
        let store: Store
        let port: Int
        let secret: String
        let channelID: String
        let identities: [Identity]
        let eventsPerWrite: Int
        let sink: String
        let sseLog: ReceiptLog<Int64>
        let webhookLog: ReceiptLog<String>
        let rate: Double
        let duration: Double
        let warmup: Double
        let drain: Double
        let maxInFlight: Int

        func run() async throws -> PhaseResult {
            let subscription = try await store.write { tx in
                try await store.subscriptions.createSubscription(NewSubscription(sink: sink, filters: .array([]), description: "bench events"),
                                                secret: WebhookSigner.newSecret(), role: .admin, actor: .system, in: tx)
            }
            let before = try await store.events.eventLogHead()
            let connected = PortSlot()
            let (url, secret, sseLog) = ("http://127.0.0.1:\(port)/v1/events/stream?after=\(before)", self.secret, self.sseLog)
            let stream = Task { try await followEventStream(url: url, secret: secret, log: sseLog, connected: connected) }
            defer { stream.cancel() }
            _ = try await connected.wait()

            let (load, issuedEnd) = try await generate()
            let start = load.start
            let after = try await store.events.eventLogHead()
            var events: [Event] = []
            while let last = events.last?.sequence ?? Optional(before), last < after {
                let page = try await store.events.events(after: last, limit: 5_000).filter { $0.sequence <= after }
                if page.isEmpty { break }
                events += page
            }
            let sequences = events.map(\.sequence)
            let ids = events.map(\.id)
            let deadline = ContinuousClock.now + .milliseconds(Int64(drain * 1_000))
            while ContinuousClock.now < deadline {
                if sseLog.count(of: sequences) == events.count, webhookLog.count(of: ids) == events.count { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let sseDelivered = sseLog.count(of: sequences)
            let webhookDelivered = webhookLog.count(of: ids)
            stream.cancel()
            // Deleting the subscription drops what it still has queued, so the next rate starts clean.
            try await store.write { tx in try await store.subscriptions.deleteSubscription(subscription.id, actor: .system, in: tx) }

            let measuredFrom = start + Int64(warmup * 1_000_000)
            let measured = events.filter { $0.time.microseconds >= measuredFrom }
            let lastCommit = events.last?.time.microseconds ?? issuedEnd
            let achieved = Double(measured.count) / (Double(max(lastCommit, issuedEnd) - measuredFrom) / 1e6)
            let sse = LatencySample(microseconds: measured.compactMap { event in sseLog.received(event.sequence).map { $0 - event.time.microseconds } })
            let webhookReceipts = measured.compactMap { event in webhookLog.received(event.id).map { (event, $0) } }
            let webhook = LatencySample(microseconds: webhookReceipts.map { $1 - $0.time.microseconds })
            // Deliveries a second over the whole phase: from the start of the load to the last receipt.
            let allReceipts = ids.compactMap { webhookLog.received($0) }
            let webhookRate = Double(allReceipts.count) / max(1e-6, Double((allReceipts.max() ?? start) - start) / 1e6)
            return PhaseResult(offered: rate, achieved: achieved, writes: load.writes, failures: load.failures, expected: events.count,
                               measured: measured.count, sse: sse, sseDelivered: sseDelivered, webhook: webhook,
                               webhookDelivered: webhookDelivered, webhookRate: webhookRate)
        }

        /// Issues `rate / eventsPerWrite` writes a second for `duration` seconds, paced by the
        /// clock, each its own store write so the writer can commit them in groups; returns when all
        /// are done, with the wall-clock start and the time the last write was issued.
        private func generate() async throws -> (load: (start: Int64, writes: Int, failures: Int), issuedEnd: Int64) {
            let writesPerSecond = rate / Double(eventsPerWrite)
            let total = Int(writesPerSecond * duration)
            let tag = UUID().uuidString.prefix(8).lowercased()
            let (store, channelID, identities) = (self.store, self.channelID, self.identities)
            let start = Timestamp.now().microseconds
            let (failures, issuedEnd) = await pacedLoad(total: total, perSecond: writesPerSecond, maxInFlight: maxInFlight) { number in
                let new = NewInteraction(channelID: channelID, party: .identity(identities[number % identities.count]),
                                         body: "Hello, where is my order?", externalID: "events-\(tag)-\(number)")
                _ = try await store.write(prefetch: .ingest(new)) { tx in try await store.interactions.ingestInteraction(new, actor: .system, in: tx) }
            }
            return ((start, total, failures), issuedEnd)
        }
    }

    struct PhaseResult {
        var offered: Double
        var achieved: Double
        var writes: Int
        var failures: Int
        var expected: Int
        var measured: Int
        var sse: LatencySample
        var sseDelivered: Int
        var webhook: LatencySample
        var webhookDelivered: Int
        var webhookRate: Double

        var summary: String {
            String(format: "offered %.0f events/s: committed %.0f events/s after warm-up (%d writes, %d failed, %d events); "
                + "SSE %@, %d/%d delivered; webhooks %@, %d/%d delivered, %.0f events/s",
                   offered, achieved, writes, failures, expected, sse.isEmpty ? "none" : sse.text(),
                   sseDelivered, expected, webhook.isEmpty ? "none" : webhook.text(), webhookDelivered,
                   expected, webhookRate)
        }

        func row(store: String) -> String {
            String(format: "| %@ | %.0f | %.0f | %@ | %d/%d | %@ | %d/%d | %.0f |", store, offered, achieved, sse.cells, sseDelivered,
                   expected, webhook.cells, webhookDelivered, expected, webhookRate)
        }
    }
}

/// A shared count.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ amount: Int) { count.wrappingAdd(amount, ordering: .relaxed) }
}
