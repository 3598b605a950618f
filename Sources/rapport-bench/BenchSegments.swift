import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore

extension Bench {
    /// A segment over many customers, as `/v1/segments` keeps it: the time to compute its members
    /// when it is saved, its count read from the members (what `GET /v1/segments/{id}` answers),
    /// the count by evaluating the filter (the fallback), and the monitor's reconciliation of a
    /// batch of changed customers.
    struct Segments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "segments",
            abstract: "Measure a segment's count over many customers, its build, and reconciling changed customers.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Customers to store.")
        var customers = 1_000_000

        @Option(help: "Reads of each count to measure (after 3 unmeasured ones).")
        var reads = 30

        /// What the issue asks of a segment count over 1,000,000 customers, in milliseconds.
        static let goalP99 = 200.0

        func run() async throws {
            guard customers > 0, reads > 0 else { throw ValidationError("--customers and --reads must be positive") }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-segments-\(UUID().uuidString)").path
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: scratch)
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: scratch) } }
            var logger = Logger(label: "rapport.bench.segments")
            logger.logLevel = .error
            let (total, reads) = (customers, self.reads)
            try await Store.withRunning(location, logger: logger) { store in
                let loading = ContinuousClock.now
                let ids = try await Self.seed(store, count: total)
                print("stored \(total) customers in \(Self.seconds(ContinuousClock.now - loading)) s")

                let draft = try SegmentDraft.read(["name": "Solar leads", "filter": #"lifecycle_stage == "lead" && attributes.interest == "solar""#])
                let building = ContinuousClock.now
                let (segment, count) = try await store.write { tx in try await store.segments.createSegment(draft, actor: .system, in: tx) }
                print("segment saved with \(count) members in \(Self.seconds(ContinuousClock.now - building)) s (one write)")

                for (name, measure) in [("count from the members", { try await store.segments.memberCount(of: segment.id) }),
                                        ("count by evaluating the filter", { try await store.segments.evaluatedCount(of: segment) })]
                    as [(String, () async throws -> Int)] {
                    for _ in 0..<3 { _ = try await measure() }
                    var sample: [Double] = []
                    var counted = 0
                    for _ in 0..<reads {
                        let started = ContinuousClock.now
                        counted = try await measure()
                        sample.append((ContinuousClock.now - started) / .milliseconds(1))
                    }
                    let latency = LatencySample(milliseconds: sample)
                    let verdict = latency.p99 <= Self.goalP99 ? "meets" : "misses"
                    print("\(name): \(counted), \(latency.text()) (\(verdict) the \(Int(Self.goalP99)) ms goal)")
                }

                // What the monitor does for a window of 500 changed customers, with one segment.
                var sample: [Double] = []
                for round in 0..<10 {
                    let batch = Array(ids[(round * 500)..<min(ids.count, round * 500 + 500)])
                    let started = ContinuousClock.now
                    _ = try await store.write { tx in try await store.segments.reconcile(customerIDs: batch, in: tx) }
                    sample.append((ContinuousClock.now - started) / .milliseconds(1))
                }
                print("reconciling 500 changed customers against 1 segment: \(LatencySample(milliseconds: sample).text())")
            }
        }

        static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration / .seconds(1)) }

        /// Customers with a lifecycle stage and an interest, written through the customer store,
        /// 1,000 to a transaction; about 2 in 35 are leads interested in solar.
        static func seed(_ store: Store, count: Int) async throws -> [String] {
            let stages: [LifecycleStage] = [.subscriber, .lead, .opportunity, .customer, .churned, .lead, .evangelist]
            let interests = ["solar", "wind", "heat_pump", "storage", "insulation"]
            var ids: [String] = []
            ids.reserveCapacity(count)
            var made = 0
            while made < count {
                let batch = min(1_000, count - made)
                let start = made
                let written = try await store.write { tx in
                    var batchIDs: [String] = []
                    for number in start..<(start + batch) {
                        let customer = NewCustomer(name: "Customer \(number)", lifecycleStage: stages[number % stages.count],
                                                   attributes: ["interest": .string(interests[(number / 7) % interests.count])])
                        batchIDs.append(try await store.customers.createCustomer(customer, actor: .system, in: tx).id)
                    }
                    return batchIDs
                }
                ids.append(contentsOf: written)
                made += batch
            }
            return ids
        }
    }
}
