import Foundation
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import SQLKit
import Testing

/// Two nodes on one PostgreSQL, each running a router: every interaction is routed exactly once.
@Suite("Routing on several nodes")
struct RouterClusterTests {
    @Test("two routers on one PostgreSQL thread and route each interaction exactly once", .enabled(if: Backend.postgresIsAvailable))
    func twoRouters() async throws {
        try await TestDatabases.withLocation(.postgres) { location in
            try await Store.withRunning(location, logger: TestDatabases.logger) { first in
                try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { second in
                    let channel = try await first.write { tx in try await first.organization.insertChannel(kind: .chat, name: "chat", settings: [:], actor: .system, in: tx) }
                    let draft = RoutingRuleDraft(name: "all to service", trigger: .interactionCreated, actions: RoutingActions(department: "service", tags: ["seen"]))
                    _ = try await first.write { tx in try await first.routing.insertRoutingRule(draft, actor: .system, in: tx) }
                    let routers = [first, second].map { ConversationRouter(store: $0, logger: TestDatabases.logger, loader: .standard) }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for router in routers { group.addTask { try await router.run() } }
                        let customers = 40, messages = 400
                        try await withThrowingTaskGroup(of: Void.self) { writers in
                            for number in 0..<messages {
                                let store = number % 2 == 0 ? first : second
                                let new = NewInteraction(channelID: channel.id,
                                                         party: .identity(Identity(kind: .email, value: "c\(number % customers)@example.com")),
                                                         body: "message \(number)")
                                writers.addTask {
                                    _ = try await store.write(prefetch: .ingest(new)) { tx in try await store.interactions.ingestInteraction(new, actor: .system, in: tx) }
                                }
                            }
                            try await writers.waitForAll()
                        }
                        // Each routing transaction saves the shared position with what it applied, and skips
                        // what the position says is done: once it has passed every interaction, each was
                        // applied, and none can be applied again. (Generous bound: the whole suite runs in
                        // parallel on two cores.)
                        let written = try await first.events.eventLogHead()
                        try await waitUntil("the routers' position to reach \(written)", timeout: .seconds(60)) {
                            (try await first.events.consumerPosition(ConversationRouter.consumerName) ?? 0) >= written
                        }
                        let links = try await Self.count("SELECT COUNT(*) AS n FROM conversation_interactions", in: first)
                        let decisions = try await Self.count("SELECT COUNT(*) AS n FROM routing_decisions", in: first)
                        let conversations = try await Self.count("SELECT COUNT(*) AS n FROM conversations", in: first)
                        let threaded = try await Self.count("SELECT CAST(COALESCE(SUM(interaction_count), 0) AS BIGINT) AS n FROM conversations", in: first)
                        #expect(links == messages, "links \(links)")
                        #expect(decisions == messages, "decisions \(decisions)")
                        #expect(conversations == customers, "conversations \(conversations)")
                        #expect(threaded == messages, "interactions counted in conversations \(threaded)")
                        var routedEvents = 0
                        var cursor: Int64 = 0
                        while true {
                            let page = try await first.events.events(after: cursor, limit: 500)
                            guard let last = page.last else { break }
                            routedEvents += page.filter { $0.type == "rapport.conversation.routed" }.count
                            cursor = last.sequence
                        }
                        #expect(routedEvents == messages)
                        group.cancelAll()
                    }
                }
            }
        }
    }

    static func count(_ query: String, in store: Store) async throws -> Int {
        try await store.read { database in
            Int(try await database.raw(SQLQueryString(query)).first()?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }
}
