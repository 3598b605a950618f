import ArgumentParser
import Foundation
import Logging
import NIOPosix
import RapportCore
import RapportStore

/// `rapport-bench`: load programs that print figures (recorded in docs/benchmarks.md), kept out of
/// the `rapport` binary that operators run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport-bench", abstract: "Rapport's benchmarks: programs that print figures.",
        subcommands: [Ingest.self, Dedupe.self, Filters.self, Events.self, Routing.self, Keywords.self, Classifier.self, ConsoleData.self, Aggregates.self, Segments.self,
                      MIME.self, MIMEFuzz.self, SMTP.self, Chat.self, Notes.self, Import.self, ProcessRuns.self, Records.self])

    /// Interactions per second and latency over HTTP against a server started in this process,
    /// and the same for a trivial route of that server as the ceiling.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure durable interaction ingest over HTTP (POST /v1/interactions) and a trivial route.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "SQLite directory to use (default: a fresh temporary directory).")
        var dataDir: String?

        @Option(help: "Concurrent HTTP connections, one request in flight on each.")
        var connections: Int = 64

        @Option(help: "Seconds to measure each phase.")
        var duration: Double = 10

        @Option(help: "Seconds of warm-up before each phase.")
        var warmup: Double = 2

        @Option(help: "Distinct customers the interactions are spread over (each first use creates one).")
        var customers: Int = 5_000

        @Option(help: "The rapport binary to start as the server (default: rapport beside this rapport-bench).")
        var rapportBinary: String?

        func run() async throws {
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            let temporary = dataDir == nil && databaseURL == nil
            let directory = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-\(UUID().uuidString)").path
            defer { if temporary { try? FileManager.default.removeItem(atPath: directory) } }
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: directory)
            let binary = try ServerProcess.binary(rapportBinary)

            // Prepare the database, then measure the real server binary in its own process, as a
            // client on another machine would see it (both still share this machine's cores).
            let (secret, channelID) = try await Store.withRunning(location, logger: logger) { store in
                let secret = try await store.write { tx in
                    try await store.access.issueAPIKey(APIKeyRequest(name: "bench", role: .admin), actor: .system, in: tx).secret
                }
                let channel = try await store.write { tx in
                    try await store.organization.insertChannel(kind: .api, name: "bench \(UUID().uuidString.prefix(8))", settings: [:], actor: .system, in: tx)
                }
                return (secret, channel.id)
            }
            let port = try await ServerProcess.freePort()
            let server = try ServerProcess.start(binary: binary, port: port, location: location)
            defer { server.stop() }
            try await ServerProcess.waitUntilListening(port: port)

            print("rapport-bench ingest: store \(location), server pid \(server.pid), \(connections) connections, "
                + "\(duration) s per phase after \(warmup) s warm-up")
            let load = LoadGenerator(port: port, connections: connections, group: MultiThreadedEventLoopGroup.singleton)
            let trivialCPU = ServerCPU.whileMeasured(pid: server.pid, warmup: warmup, duration: duration)
            let trivial = try await load.measure(warmup: warmup, duration: duration) { _, _ in
                LoadGenerator.Request(method: .GET, path: "/health/live", headers: [], body: [])
            }
            print(trivial.line(name: "GET /health/live (ceiling)"))
            if let used = await trivialCPU.value { print(used.line(seconds: duration, requests: trivial.latencies.count)) }
            let run = UUID().uuidString.prefix(8).lowercased()
            let customers = self.customers
            let headers = [("Authorization", "Bearer \(secret)"), ("Content-Type", "application/json")]
            // The router's lag, sampled through the API while ingest runs: every consumer of the
            // log runs in the server (router, duplicate monitor, webhook dispatcher).
            let probe = ConsumerLagProbe(baseURL: "http://127.0.0.1:\(port)", secret: secret, consumer: "router")
            let sampler = Task { await probe.sample(every: .milliseconds(250)) }
            let cpu = ServerCPU.whileMeasured(pid: server.pid, warmup: warmup, duration: duration)
            let ingest = try await load.measure(warmup: warmup, duration: duration) { connection, sequence in
                // Written as text, so the client spends its CPU on sending, not on building JSON.
                let customer = (connection &* 7_919 &+ sequence) % customers
                let body = #"{"channel_id":"\#(channelID)","identity":"email:bench-\#(run)-\#(customer)@example.com","kind":"message","direction":"inbound","body":"Hello, I would like to know where my order is.","external_id":"bench-\#(run)-\#(connection)-\#(sequence)"}"#
                return LoadGenerator.Request(method: .POST, path: "/v1/interactions", headers: headers, body: Array(body.utf8))
            }
            sampler.cancel()
            let ages = LatencySample(milliseconds: await sampler.value)
            // The rate first: a router that never catches up must not cost the run its figure.
            print(ingest.line(name: "POST /v1/interactions (durable)"))
            if let used = await cpu.value { print(used.line(seconds: duration, requests: ingest.latencies.count)) }
            let caughtUp = try await probe.catchUp()
            print(String(format: "router lag during ingest (age of its oldest unrouted event, %d samples): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                         ages.sorted.count, ages.percentile(0.5), ages.percentile(0.99), ages.sorted.last ?? 0))
            print(String(format: "router caught up %.1f ms after the load stopped", Double(caughtUp.nanoseconds) / 1e6))
            let lags = try await probe.allLags().map { "\($0.name) \($0.events)" }.joined(separator: ", ")
            print("consumers' lag in events then: \(lags)")
        }
    }
}

