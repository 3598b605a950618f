import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Conversation store: assignment within one transaction")
struct AssignmentStoreTests {
    let actor = Actor(kind: .apiKey, id: "key_test")

    @Test("assignments made earlier in a transaction count against the agents for the later ones", arguments: Backend.available)
    func loadsFollowTheTransaction(_ backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let (ana, ben, channel) = try await store.write { tx in
                let ana = try await store.organization.insertUser(UserChanges(email: "ana@example.com", name: "Ana", role: .agent), actor: actor, in: tx)
                let ben = try await store.organization.insertUser(UserChanges(email: "ben@example.com", name: "Ben", role: .agent), actor: actor, in: tx)
                for user in [ana, ben] {
                    _ = try await store.routing.setAgentState(userID: user.id, changes: AgentStateChanges(status: .online, capacity: 2),
                                                              actor: actor, in: tx)
                }
                _ = try await store.routing.insertQueue(department: "service", changes: QueueChanges(
                    key: "chat", name: "Chat", strategy: .leastOpen, memberIDs: [ana.id, ben.id]), actor: actor, in: tx)
                let channel = try await store.organization.insertChannel(kind: .chat, name: "chat", settings: [:], actor: actor, in: tx)
                return (ana.id, ben.id, channel.id)
            }
            // Five customers write; ingest opens a conversation for each.
            var opened: [String] = []
            for number in 1...5 {
                let new = NewInteraction(channelID: channel, party: .identity(Identity(kind: .email, value: "c\(number)@example.com")), body: "hello")
                let stored = try await store.write(prefetch: .ingest(new)) { tx in try await store.interactions.ingestInteraction(new, actor: actor, in: tx) }
                opened.append(try #require(try await store.conversations.conversationID(ofInteraction: stored.interaction.id)))
            }
            let conversationIDs = opened
            // One transaction routes all five into the queue, as the router does a batch.
            let assignees = try await store.write { tx in
                var assignees: [String?] = []
                for id in conversationIDs {
                    let stored = try #require(try await store.conversations.conversationForUpdate(id, in: tx))
                    var next = stored
                    let problems = try await store.conversations.apply(RoutingActions(department: "service", queue: "chat"), to: &next,
                                                                       directory: nil, in: tx)
                    #expect(problems.isEmpty)
                    try await store.conversations.saveConversation(next, previous: stored, actor: .router, directory: nil, in: tx)
                    assignees.append(next.assigneeID)
                }
                return assignees
            }
            // Least open alternates while both have room; capacity 2 each leaves the fifth waiting.
            #expect(assignees == [ana, ben, ana, ben, nil])
            let held = try await store.write { tx in
                // A new transaction reads the loads afresh: resolving one of Ana's makes room for the waiting one.
                let first = try #require(try await store.conversations.conversationForUpdate(conversationIDs[0], in: tx))
                var resolve = ConversationChanges()
                resolve.status = .resolved
                _ = try await store.conversations.updateConversation(id: first.id, changes: resolve, actor: actor, in: tx)
                return try await store.conversations.conversationForUpdate(conversationIDs[4], in: tx)?.assigneeID
            }
            #expect(held == ana)
        }
    }
}
