import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportServer
import RapportStore
import RapportSync
import ServiceLifecycle

extension Bench {
    /// Routing latency: from an interaction's commit (when its POST returns) to the commit of its
    /// routing decision (threaded, classified, matched against rules and keyword sets, routed and
    /// assigned), at offered rates, with a trained classifier, a keyword set and a rule book.
    struct Routing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure routing latency: interaction commit to routing decision, with rules, keywords and a classifier.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Offered interactions per second, comma separated; each is one phase.")
        var rates = "100,500"

        @Option(help: "Seconds of load per phase (the warm-up included).")
        var duration: Double = 10

        @Option(help: "Seconds at the start of each phase left out of the figures.")
        var warmup: Double = 2

        @Option(help: "Customers the interactions are spread over.")
        var customers = 2_000

        @Option(help: "Routing rules (a mix of expressions, keyword sets, labels and customer attributes).")
        var rules = 40

        @Option(help: "Terms in the keyword set the rules use.")
        var keywords = 1_000

        @Option(help: "Labelled messages to train the classifier on (CSV text,category); messages come from --messages.")
        var train = "../shared/datasets/banking77/train.csv"

        @Option(help: "Messages to send (CSV text,category).")
        var messages = "../shared/datasets/banking77/test.csv"

        @Flag(help: "Write each message without analysing it first (as before 2026-12-07): with a model, the router routes every one.")
        var unprepared = false

        func run() async throws {
            let offered = rates.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !offered.isEmpty, offered.allSatisfy({ $0 > 0 }), duration > warmup, customers > 0, rules >= 0, keywords > 0 else {
                throw ValidationError("--rates must list positive rates; --duration must exceed --warmup; counts must be positive")
            }
            let examples = try Classifier.load(train)
            let bodies = try Classifier.load(messages).map(\.text)
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            var rows: [String] = []
            try await BenchServer.run(databaseURL: databaseURL, logger: logger) { server in
                let store = server.store
                let setup = try await prepare(store, examples: examples)
                print("rapport-bench routing: store \(server.location), \(rules) rules, \(keywords) keywords, classifier on \(examples.count) "
                    + "examples (\(String(format: "%.1f", setup.trainingSeconds)) s), \(customers) customers, \(duration) s per rate, "
                    + "\(ProcessInfo.processInfo.activeProcessorCount) cores, messages \(unprepared ? "not analysed" : "analysed") before the write")
                for rate in offered {
                    let result = try await phase(store, setup: setup, bodies: bodies, rate: rate)
                    print(result.summary)
                    rows.append(result.row(store: server.storeName))
                }
            }
            print("\n| store | offered/s | achieved/s | routed | commit → decision p50 | p99 | max | decisions with a prediction | with keyword hits |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for row in rows { print(row) }
        }

        struct Setup {
            var channelID: String
            var identities: [Identity]
            var trainingSeconds: Double
        }

        /// Agents and queues in every department, a keyword set, the rule book, and a classifier.
        private func prepare(_ store: Store, examples: [LabelledText]) async throws -> Setup {
            let channel = try await store.write { tx in
                try await store.organization.insertChannel(kind: .email, name: "bench routing \(UUID().uuidString.prefix(8))", settings: [:], actor: .system, in: tx)
            }
            let departments = try await store.organization.departments()
            for department in departments {
                var members: [String] = []
                for number in 0..<5 {
                    let user = try await store.write { tx in
                        try await store.organization.insertUser(UserChanges(email: "\(department.key)-\(number)-\(UUID().uuidString.prefix(6))@example.com",
                                                            name: "\(department.name) agent \(number)", role: .agent), actor: .system, in: tx)
                    }
                    _ = try await store.write { tx in
                        try await store.routing.setAgentState(userID: user.id, changes: AgentStateChanges(status: .online, capacity: 1_000_000), actor: .system, in: tx)
                    }
                    members.append(user.id)
                }
                let queue = QueueChanges(key: "general", name: "General", strategy: .leastOpen, memberIDs: members)
                _ = try await store.write { tx in try await store.routing.insertQueue(department: department.id, changes: queue, actor: .system, in: tx) }
            }
            let realTerms = ["card", "refund", "fraud", "transfer", "pin", "atm", "exchange rate", "top up", "退款", "信用卡", "转账"]
            let terms = realTerms + (0..<max(0, keywords - realTerms.count)).map { "term\($0)x" }
            _ = try await store.write { tx in try await store.routing.saveKeywordSet(name: "banking", wholeWords: true, terms: terms, actor: .system, in: tx) }
            let labels = Array(Set(examples.map(\.label))).sorted()
            for number in 0..<rules {
                let departmentKey = departments[number % departments.count].key
                var conditions = RoutingConditions()
                switch number % 4 {
                case 0: conditions.expression = #"interaction.body.contains("\#(realTerms[number % 8])")"#
                case 1: conditions.keywordsAny = ["banking"]
                case 2: conditions = RoutingConditions(labels: [labels[number % labels.count]], minConfidence: 0.5)
                default: conditions.expression = #"has(customer.attributes.tier) && customer.attributes.tier == "gold""#
                }
                let draft = RoutingRuleDraft(name: "bench rule \(number)", trigger: .interactionCreated, position: Int64(number),
                                             conditions: conditions, actions: RoutingActions(department: departmentKey, queue: "general",
                                                                                             tags: ["rule-\(number % 10)"]))
                _ = try await store.write { tx in try await store.routing.insertRoutingRule(draft, actor: .system, in: tx) }
            }
            let trained = try await ClassifierTraining.train(routing: store.routing, writer: store, examples: examples, historyLimit: 0, actor: .system)
            let identities = (0..<customers).map { Identity(kind: .email, value: "routing-\($0)-\(UUID().uuidString.prefix(6))@example.com") }
            // A probe: once it is routed with a prediction, the router has loaded everything above.
            let probe = NewInteraction(channelID: channel.id, party: .identity(identities[0]), body: "my card has not arrived")
            let before = try await store.events.eventLogHead()
            _ = try await store.write(prefetch: .ingest(probe)) { tx in try await store.interactions.ingestInteraction(probe, actor: .system, in: tx) }
            for _ in 0..<600 {
                let routed = try await store.events.events(after: before, limit: 1_000).first { $0.type == "rapport.conversation.routed" }
                if let routed, routed.data.objectValue?["decision"]?.objectValue?["prediction"]?.isNull == false { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return Setup(channelID: channel.id, identities: identities,
                         trainingSeconds: trained.summary.objectValue?["training_seconds"]?.doubleValue ?? 0)
        }

        private func phase(_ store: Store, setup: Setup, bodies: [String], rate: Double) async throws -> PhaseResult {
            let before = try await store.events.eventLogHead()
            let total = Int(rate * duration)
            let start = Timestamp.now().microseconds
            let tag = UUID().uuidString.prefix(8).lowercased()
            let (channelID, identities) = (setup.channelID, setup.identities)
            let (failures, issuedEnd) = await pacedLoad(total: total, perSecond: rate, maxInFlight: 20_000) { number in
                let new = NewInteraction(channelID: channelID, party: .identity(identities[number % identities.count]),
                                         body: bodies[number % bodies.count], externalID: "routing-\(tag)-\(number)")
                // As `POST /v1/interactions` does: the content analysed before the write, off the writer.
                let prepared = unprepared ? nil : store.interactions.prepareIngest(new)
                _ = try await store.write(prefetch: .ingest(new)) { tx in
                    try await store.interactions.ingestInteraction(new, actor: .system, prepared: prepared, in: tx)
                }
            }
            // Wait until every interaction of the phase has its decision (or 30 s pass).
            var committed: [String: Int64] = [:]
            var decided: [String: (time: Int64, prediction: Bool, keywords: Bool)] = [:]
            var cursor = before
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let page = try await store.events.events(after: cursor, limit: 5_000)
                for event in page {
                    let data = event.data.objectValue
                    if event.type == "rapport.interaction.created", let id = data?["interaction"]?.objectValue?["id"]?.stringValue {
                        committed[id] = event.time.microseconds
                    } else if event.type == "rapport.conversation.routed", let id = data?["interaction_id"]?.stringValue {
                        let decision = data?["decision"]?.objectValue
                        decided[id] = (event.time.microseconds, decision?["prediction"]?.isNull == false,
                                       (decision?["keywords"]?.objectValue?.count ?? 0) > 0)
                    }
                }
                cursor = page.last?.sequence ?? cursor
                if page.isEmpty {
                    if committed.count >= total - failures, committed.keys.allSatisfy({ decided[$0] != nil }) { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let measuredFrom = start + Int64(warmup * 1_000_000)
            let measured = committed.filter { $0.value >= measuredFrom }
            let latencies = measured.compactMap { id, time in decided[id].map { $0.time - time } }
            let lastCommit = committed.values.max() ?? issuedEnd
            let achieved = Double(measured.count) / (Double(max(lastCommit, issuedEnd) - measuredFrom) / 1e6)
            let routed = measured.keys.filter { decided[$0] != nil }
            return PhaseResult(offered: rate, achieved: achieved, expected: measured.count, routed: routed.count,
                               latency: LatencySample(microseconds: latencies), failures: failures,
                               withPrediction: routed.filter { decided[$0]?.prediction == true }.count,
                               withKeywords: routed.filter { decided[$0]?.keywords == true }.count)
        }

        struct PhaseResult {
            var offered: Double
            var achieved: Double
            var expected: Int
            var routed: Int
            var latency: LatencySample
            var failures: Int
            var withPrediction: Int
            var withKeywords: Int

            var summary: String {
                String(format: "offered %.0f/s: committed %.0f/s after warm-up (%d failed writes); routed %d/%d; commit → decision %@",
                       offered, achieved, failures, routed, expected, latency.isEmpty ? "none" : latency.text())
            }

            func row(store: String) -> String {
                String(format: "| %@ | %.0f | %.0f | %d/%d | %@ | %d | %d |", store, offered, achieved, routed, expected, latency.cells,
                       withPrediction, withKeywords)
            }
        }
    }
}
