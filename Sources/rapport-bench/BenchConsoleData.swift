import ArgumentParser
import Foundation
import Logging
import RapportCore
import RapportStore
import RapportSync

extension Bench {
    /// Fills a store for the console's speed benchmark (`scripts/bench/console_bench.py`): many
    /// customers with their interactions, one customer with a long history, and one department
    /// with many open conversations routed to it. Writes a manifest naming what to look at.
    struct ConsoleData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "console-data",
            abstract: "Seed a store for the console benchmark and write its manifest (console-bench.json).")

        @Option(help: "SQLite directory to fill (created; must not hold a store yet).")
        var dataDir: String?

        @Option(help: "PostgreSQL URL to fill instead (an empty database).")
        var databaseURL: String?

        @Option(help: "Customers in all.")
        var customers = 100_000

        @Option(help: "Interactions in all, the long history and the inbox's included.")
        var interactions = 1_000_000

        @Option(help: "Interactions of the one customer with a long history.")
        var hotInteractions = 5_000

        @Option(help: "Open conversations routed to the support department (one new message each).")
        var supportConversations = 10_000

        @Option(help: "Writes in flight at once (the writer commits them in groups).")
        var inFlight = 512

        @Option(help: "Where to write the manifest (default: console-bench.json in the data directory).")
        var manifest: String?

        func validate() throws {
            guard (dataDir == nil) != (databaseURL == nil) else { throw ValidationError("give --data-dir or --database-url") }
            guard customers > supportConversations, customers >= 2 else {
                throw ValidationError("--customers must exceed --support-conversations")
            }
            guard interactions >= customers + hotInteractions + supportConversations else {
                throw ValidationError("--interactions must cover one per customer, the long history and the inbox")
            }
        }

        func run() async throws {
            let logger = { () -> Logger in
                var logger = Logger(label: "rapport.bench")
                logger.logLevel = .error
                return logger
            }()
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: dataDir!)
            let manifestPath = manifest ?? (dataDir.map { $0 + "/console-bench.json" } ?? "console-bench.json")
            let plan = ConsoleDataPlan(customers: customers, interactions: interactions, hotInteractions: hotInteractions,
                                       supportConversations: supportConversations)
            let inFlight = self.inFlight
            let written = try await Store.withRunning(location, logger: logger) { store in
                try await ConsoleDataSeeder(store: store, plan: plan, inFlight: inFlight, logger: logger).seed()
            }
            try Data(written.serialized()).write(to: URL(fileURLWithPath: manifestPath))
            print("rapport-bench console-data: manifest written to \(manifestPath)")
        }
    }
}

/// How many of what the console benchmark's store holds.
struct ConsoleDataPlan: Sendable {
    let customers: Int
    let interactions: Int
    let hotInteractions: Int
    let supportConversations: Int

    /// Interactions of the ordinary customers: what remains after the long history and the inbox.
    var bulkInteractions: Int { interactions - hotInteractions - supportConversations }
}

/// Writes the plan into a running store, through the same store calls the API makes.
struct ConsoleDataSeeder: Sendable {
    let store: Store
    let plan: ConsoleDataPlan
    let inFlight: Int
    let logger: Logger

    /// Seeds, and returns the manifest.
    func seed() async throws -> JSONValue {
        let started = ContinuousClock.now
        let key = try await store.write { tx in
            try await store.access.issueAPIKey(APIKeyRequest(name: "console benchmark", role: .admin), actor: .system, in: tx).secret
        }
        let channels = try await store.write { tx in
            (email: try await store.organization.insertChannel(kind: .email, name: "Email", settings: [:], actor: .system, in: tx),
             phone: try await store.organization.insertChannel(kind: .phone, name: "Phone", settings: [:], actor: .system, in: tx),
             chat: try await store.organization.insertChannel(kind: .chat, name: "Support chat", settings: [:], actor: .system, in: tx))
        }
        let department = try await store.write { tx in
            try await store.organization.insertDepartment(key: "support", name: "Support", description: "Customer service",
                                                          actor: .system, in: tx)
        }
        _ = try await store.write { tx in
            try await store.routing.insertRoutingRule(
                RoutingRuleDraft(name: "support chat to support", trigger: .interactionCreated,
                                 conditions: RoutingConditions(channels: [channels.chat.id]),
                                 actions: RoutingActions(department: "support")),
                actor: .system, in: tx)
        }
        let people = ConsoleDataPeople()
        var created: [String] = []
        created.reserveCapacity(plan.customers)
        for start in stride(from: 0, to: plan.customers, by: 1_000) {
            let range = start..<min(start + 1_000, plan.customers)
            created += try await createCustomers(range, people: people)
            progress("customers", done: range.upperBound, of: plan.customers, since: started)
        }
        let ids = created
        let messages = ConsoleDataMessages()
        // The long history: the first customer, on every channel, over two years.
        try await ingest(count: plan.hotInteractions, label: "long history", since: started) { number in
            let channel = [channels.email, channels.phone, channels.chat][number % 3]
            return messages.interaction(number, customer: ids[0], channel: channel, daysBack: 730)
        }
        // Everyone else: ordinary customers spread over the bulk, on email and phone, over a year.
        let others = plan.customers - 1
        try await ingest(count: plan.bulkInteractions, label: "interactions", since: started) { number in
            let customer = ids[1 + (number &* 7_919) % others]
            return messages.interaction(number, customer: customer, channel: number % 4 == 0 ? channels.phone : channels.email, daysBack: 365)
        }
        // The inbox: one support chat message each from as many customers, routed as the server
        // routes them (a router runs here, from the log's head, until it has passed them all).
        try await routing {
            try await ingest(count: plan.supportConversations, label: "support chats", since: started) { number in
                messages.supportRequest(number, customer: ids[1 + number], channel: channels.chat)
            }
        }
        let hot = people.person(0)
        let sample = people.person(4_242 % plan.customers)
        func integer(_ value: Int) -> JSONValue { .integer(Int64(value)) }
        return [
            "admin_key": .string(key),
            "customers": integer(plan.customers),
            "interactions": integer(plan.interactions),
            "hot_customer": ["id": .string(ids[0]), "name": .string(hot.name), "phone": .string(hot.phone),
                             "phone_as_typed": .string(hot.phoneAsTyped), "interactions": integer(plan.hotInteractions)],
            "support_department": ["id": .string(department.id), "key": .string(department.key),
                                   "open_conversations": integer(plan.supportConversations)],
            "search_queries": .array([hot.phoneAsTyped, String(sample.name.prefix(8)).trimmingCharacters(in: .whitespaces),
                                      sample.company, sample.email].map(JSONValue.string)),
            "seconds": integer(Int((ContinuousClock.now - started).components.seconds)),
        ]
    }

    /// Creates the customers of `range`, a transaction for the lot; returns their ids in order.
    private func createCustomers(_ range: Range<Int>, people: ConsoleDataPeople) async throws -> [String] {
        try await store.write { tx in
            var ids: [String] = []
            for index in range {
                let person = people.person(index)
                let new = NewCustomer(name: person.name, identities: [Identity(kind: .email, value: person.email),
                                                                       Identity(kind: .phone, value: person.phone)],
                                      company: person.company)
                ids.append(try await store.customers.createCustomer(new, actor: .system, channelID: nil, in: tx).id)
            }
            return ids
        }
    }

    /// Ingests `count` interactions made by `make`, `inFlight` at a time, as the API does.
    private func ingest(count: Int, label: String, since started: ContinuousClock.Instant,
                        _ make: @escaping @Sendable (Int) -> NewInteraction) async throws {
        let step = max(1, count / 20)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            var done = 0
            while next < min(inFlight, count) {
                let new = make(next)
                group.addTask { try await self.ingestOne(new) }
                next += 1
            }
            while try await group.next() != nil {
                done += 1
                if done % step == 0 || done == count { progress(label, done: done, of: count, since: started) }
                if next < count {
                    let new = make(next)
                    group.addTask { try await self.ingestOne(new) }
                    next += 1
                }
            }
        }
    }

    private func ingestOne(_ new: NewInteraction) async throws {
        _ = try await store.write(prefetch: .ingest(new)) { tx in
            try await store.interactions.ingestInteraction(new, actor: .system, in: tx)
        }
    }

    /// Runs `body` with a conversation router running, then waits until it has passed the log's head.
    private func routing(_ body: () async throws -> Void) async throws {
        let router = ConversationRouter(store: store, logger: logger, loader: .standard)
        let running = Task { try await router.run() }
        defer { running.cancel() }
        // A first router starts at the head it finds: wait for it to have saved that position.
        while try await store.events.consumerPosition(ConversationRouter.consumerName) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await body()
        let head = try await store.events.eventLogHead()
        while (try await store.events.consumerPosition(ConversationRouter.consumerName) ?? 0) < head {
            try await Task.sleep(for: .milliseconds(100))
        }
        running.cancel()
        _ = try? await running.value
    }

    private func progress(_ label: String, done: Int, of total: Int, since started: ContinuousClock.Instant) {
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        print("  \(label): \(done)/\(total) (\(Int(seconds)) s)")
    }
}
