import Foundation
import RapportCore
@testable import RapportStore
import RapportTestSupport
import Testing

/// Runs on SQLite, and on PostgreSQL when RAPPORT_TEST_POSTGRES_URL is set.
@Suite("Interaction store: ingest") struct InteractionStoreTests {
    let normalizer = try! IdentityNormalizer(defaultRegion: "DE")
    let actor = Actor(kind: .apiKey, id: "key_test")

    @Test(arguments: Backend.available)
    func ingestResolvesIdentityAndDeduplicatesExternalIDs(_ backend: Backend) async throws {
        let email = try normalizer.parse("email:ana@example.com")
        try await TestDatabases.withStore(backend) { store in
            let channel = try await store.write { tx in try await store.organization.insertChannel(kind: .email, name: "support", settings: [:], actor: actor, in: tx) }
            let new = NewInteraction(channelID: channel.id, party: .identity(email), kind: .email, subject: "Hello", externalID: "msg-1")
            let first = try await store.write { tx in try await store.interactions.ingestInteraction(new, actor: actor, in: tx) }
            #expect(first.created)
            #expect(first.createdCustomerID == first.interaction.customerID)
            let again = try await store.write { tx in try await store.interactions.ingestInteraction(new, actor: actor, in: tx) }
            #expect(!again.created)
            #expect(again.interaction.id == first.interaction.id)
            var second = new
            second.externalID = "msg-2"
            let secondMessage = second
            let other = try await store.write { tx in try await store.interactions.ingestInteraction(secondMessage, actor: actor, in: tx) }
            #expect(other.interaction.customerID == first.interaction.customerID)
            #expect(other.createdCustomerID == nil)
            let timeline = try await store.interactions.timeline(of: first.interaction.customerID, newestFirst: false, limit: 10, cursor: nil)
            #expect(timeline.items.map(\.id) == [first.interaction.id, other.interaction.id])
            let types = try await store.events.events(after: 0, limit: 100).map(\.type)
            // Each message is threaded in the transaction that stores it: the first opens a
            // conversation, the second joins it; a repeated external id changes nothing.
            #expect(types == ["rapport.channel.created", "rapport.customer.created", "rapport.interaction.created",
                              "rapport.conversation.created", "rapport.interaction.created", "rapport.conversation.updated"])
            let conversationID = try await store.conversations.conversationID(ofInteraction: first.interaction.id)
            #expect(conversationID != nil)
            #expect(try await store.conversations.conversationID(ofInteraction: other.interaction.id) == conversationID)
            #expect(try await store.conversations.conversation(try #require(conversationID))?.interactionCount == 2)
        }
    }
}
