import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore

extension Bench {
    /// Duplicate detection through the store, with the matcher the server runs: FEBRL quality
    /// and time next to Splink and recordlinkage, a large synthetic store, and the online check.
    struct Dedupe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure duplicate detection: FEBRL quality against peers, synthetic scale, online check latency.")

        @Option(help: "FEBRL directory (dataset3.csv, dataset4a.csv, dataset4b.csv); default ../shared/datasets/febrl or RAPPORT_FEBRL_DIR.")
        var febrl: String?

        @Option(help: "Matching profile for FEBRL (JSON, as PUT /v1/settings/matching takes under profile).")
        var febrlProfile = "scripts/bench/febrl-profile.json"

        @Option(help: "Python with splink and recordlinkage (scripts/peers/requirements.txt); empty to skip the peers.")
        var peersPython = ".venv-peers/bin/python"

        @Option(help: "Synthetic customers to load and deduplicate (0 skips).")
        var synthetic = 0

        @Option(help: "Customers whose online check (index update and candidate search) is timed.")
        var online = 2_000

        @Option(help: "SQLite directory for the synthetic store; kept, and reused when it already holds the customers.")
        var syntheticDataDir: String?

        func run() async throws {
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            let directory = febrl ?? ProcessInfo.processInfo.environment["RAPPORT_FEBRL_DIR"] ?? "../shared/datasets/febrl"
            print("rapport-bench dedupe (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
            if FileManager.default.fileExists(atPath: "\(directory)/dataset3.csv") {
                let profileJSON = try JSONParser.parse(Array(FileManager.default.contents(atPath: febrlProfile) ?? Data()))
                let settings = try MatchingSettings.read(["profile": profileJSON])
                var rows: [[String: String]] = []
                for (name, files) in [("dataset3", ["dataset3.csv"]), ("dataset4", ["dataset4a.csv", "dataset4b.csv"])] {
                    let customers = try files.flatMap { try FebrlFile(contentsOf: "\(directory)/\($0)").customers }
                    let result = try await Self.measure(customers.map { ($0.customer, $0.entity) }, settings: settings, logger: logger,
                                                        onlineChecks: 0)
                    print(String(format: "Rapport %@: precision %.4f recall %.4f F1 %.4f (%d pairs; TP %d FP %d FN %d) — load through the store %.2f s, index from the store %.2f s, EM %.2f s, scoring %.2f s, matching total %.2f s",
                                 name, result.quality.precision, result.quality.recall, result.quality.f1,
                                 result.quality.truePositives + result.quality.falsePositives, result.quality.truePositives,
                                 result.quality.falsePositives, result.quality.falseNegatives, result.loadSeconds, result.indexSeconds,
                                 result.estimateSeconds, result.scoreSeconds, result.matchingSeconds))
                    rows.append(["tool": "Rapport", "dataset": name, "precision": String(format: "%.4f", result.quality.precision),
                                 "recall": String(format: "%.4f", result.quality.recall), "f1": String(format: "%.4f", result.quality.f1),
                                 "seconds": String(format: "%.2f", result.matchingSeconds)])
                }
                rows += runPeers(directory)
                print("\n| tool | dataset | precision | recall | F1 | matching seconds |\n|---|---|---|---|---|---|")
                for row in rows {
                    print("| \(row["tool"] ?? "") | \(row["dataset"] ?? "") | \(row["precision"] ?? "") | \(row["recall"] ?? "") | \(row["f1"] ?? "") | \(row["seconds"] ?? "") |")
                }
            } else {
                print("FEBRL data not found in \(directory); skipping the quality comparison")
            }
            if synthetic > 0 {
                var generator = SyntheticCustomers(random: SeededRandom(seed: 2026), duplicateShare: 0.1)
                let customers = generator.make(synthetic).map { entry in
                    // The person number rides along in an attribute the profile does not read, so a
                    // kept store can be measured again without loading it.
                    var customer = entry.customer
                    customer.attributes["synthetic_person"] = .integer(Int64(entry.person))
                    return (customer, entry.person)
                }
                let result = try await Self.measure(customers, settings: MatchingSettings(), logger: logger,
                                                    onlineChecks: online, directory: syntheticDataDir)
                print(String(format: "\nsynthetic %d customers (default CRM profile): precision %.4f recall %.4f F1 %.4f — load through the store %.1f s; index from the store %.1f s, EM %.1f s, scoring %.1f s, matching total %.1f s",
                             synthetic, result.quality.precision, result.quality.recall, result.quality.f1, result.loadSeconds,
                             result.indexSeconds, result.estimateSeconds, result.scoreSeconds, result.matchingSeconds))
                if let latency = result.onlineLatency {
                    print("online check over \(online) customers (index update + candidate search): \(latency.text(decimals: 3))")
                }
            }
        }

        struct Result {
            var quality: PairQuality
            var loadSeconds: Double
            var indexSeconds: Double
            var estimateSeconds: Double
            var scoreSeconds: Double
            var matchingSeconds: Double { indexSeconds + estimateSeconds + scoreSeconds }
            var onlineLatency: LatencySample?
        }

        /// Loads the customers into a fresh SQLite store, then runs what `rapport dedupe` and the
        /// server run: the index from the store, EM, and scoring of the blocked pairs.
        static func measure(_ customers: [(NewCustomer, Int)], settings: MatchingSettings, logger: Logger,
                            onlineChecks: Int, directory kept: String? = nil) async throws -> Result {
            let directory = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("rapport-dedupe-\(UUID().uuidString)").path
            defer { if kept == nil { try? FileManager.default.removeItem(atPath: directory) } }
            return try await Store.withRunning(.sqlite(directory: directory), logger: logger) { store in
                let loadStart = ContinuousClock.now
                let entities: [String: Int]
                if kept != nil, try await store.duplicates.standingCustomerCount() == customers.count {
                    entities = try await storedPeople(store)
                } else {
                    entities = try await load(customers, into: store)
                }
                let loaded = ContinuousClock.now
                let profile = settings.profile
                let index = try await store.duplicates.matchIndex(profile: profile)
                let indexed = ContinuousClock.now
                let model = MatchModel.estimate(from: index)
                let estimated = ContinuousClock.now
                let finder = try DuplicateFinder(profile: profile, model: model)
                let pairs = finder.duplicatePairs(in: index)
                let scored = ContinuousClock.now
                var result = Result(quality: PairQuality(found: pairs, entity: entities), loadSeconds: (loaded - loadStart) / .seconds(1),
                                    indexSeconds: (indexed - loaded) / .seconds(1), estimateSeconds: (estimated - indexed) / .seconds(1),
                                    scoreSeconds: (scored - estimated) / .seconds(1))
                if onlineChecks > 0 {
                    result.onlineLatency = try await onlineLatency(store: store, index: index, finder: finder, count: onlineChecks)
                }
                return result
            }
        }

        /// Creates the customers through the store's write path, 500 to a transaction, four
        /// transactions in flight; returns the person each new customer id stands for. (No progress
        /// bar: that lives in the `rapport` command line; the figures include the load time.)
        static func load(_ customers: [(NewCustomer, Int)], into store: Store) async throws -> [String: Int] {
            let batches = stride(from: 0, to: customers.count, by: 500).map { Array(customers[$0..<min($0 + 500, customers.count)]) }
            var entities: [String: Int] = [:]
            entities.reserveCapacity(customers.count)
            FileHandle.standardError.write(Data("loading \(customers.count) customers through the store…\n".utf8))
            for group in stride(from: 0, to: batches.count, by: 4) {
                try await withThrowingTaskGroup(of: [(String, Int)].self) { tasks in
                    for batch in batches[group..<min(group + 4, batches.count)] {
                        tasks.addTask {
                            try await store.write { tx in
                                var ids: [(String, Int)] = []
                                for (customer, person) in batch {
                                    ids.append((try await store.customers.createCustomer(customer, actor: .system, in: tx).id, person))
                                }
                                return ids
                            }
                        }
                    }
                    for try await ids in tasks {
                        for (id, person) in ids { entities[id] = person }
                    }
                }
            }
            return entities
        }

        /// The person of each stored synthetic customer, from its `synthetic_person` attribute.
        static func storedPeople(_ store: Store) async throws -> [String: Int] {
            var people: [String: Int] = [:]
            var last: String?
            while true {
                let page = try await store.duplicates.matchingCustomers(after: last, limit: 10_000)
                for customer in page {
                    if let person = customer.attributes["synthetic_person"]?.intValue { people[customer.id] = Int(person) }
                }
                guard page.count == 10_000, let next = page.last?.id else { return people }
                last = next
            }
        }

        /// What the server's duplicate monitor does per written customer, minus reading it: put
        /// its record in the index and search its candidates.
        static func onlineLatency(store: Store, index: MatchIndex, finder: DuplicateFinder,
                                  count: Int) async throws -> LatencySample {
            var index = index
            let customers = try await store.duplicates.matchingCustomers(after: nil, limit: count)
            var durations: [Double] = []
            durations.reserveCapacity(customers.count)
            for customer in customers {
                let start = ContinuousClock.now
                index.upsert(customer)
                _ = finder.candidates(forID: customer.id, in: index)
                durations.append((ContinuousClock.now - start) / .milliseconds(1))
            }
            return LatencySample(milliseconds: durations)
        }

        /// Splink and recordlinkage on the same files, in this run.
        func runPeers(_ directory: String) -> [[String: String]] {
            guard !peersPython.isEmpty, FileManager.default.isExecutableFile(atPath: peersPython) else {
                print("peers skipped: no Python at \(peersPython) (python3 -m venv .venv-peers && .venv-peers/bin/pip install -r scripts/peers/requirements.txt)")
                return []
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: peersPython)
            process.arguments = ["scripts/peers/febrl_peers.py", "--json", "--data", directory]
            let output = Pipe()
            process.standardOutput = output
            do {
                try process.run()
            } catch {
                print("peers failed to start: \(error)")
                return []
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let report = try? JSONParser.parse(Array(data)).objectValue else {
                print("peers failed (exit \(process.terminationStatus))")
                return []
            }
            var rows: [[String: String]] = []
            for (tool, value) in report {
                let object = value.objectValue ?? JSONObject()
                let version = object["version"]?.stringValue.map { " \($0)" } ?? ""
                for dataset in ["dataset3", "dataset4"] {
                    guard let figures = object[dataset]?.objectValue else { continue }
                    func figure(_ key: String, _ digits: Int) -> String {
                        figures[key]?.doubleValue.map { String(format: "%.\(digits)f", $0) } ?? "?"
                    }
                    rows.append(["tool": tool + version, "dataset": dataset, "precision": figure("precision", 4),
                                 "recall": figure("recall", 4), "f1": figure("f1", 4), "seconds": figure("seconds", 2)])
                    print("\(tool)\(version) \(dataset): precision \(figure("precision", 4)) recall \(figure("recall", 4)) F1 \(figure("f1", 4)), matching \(figure("seconds", 2)) s")
                }
            }
            return rows
        }
    }
}
