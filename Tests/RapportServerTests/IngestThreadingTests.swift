import Foundation
import RapportCore
import RapportTestSupport
import Testing

/// Threading at ingest: an interaction is in its conversation in the transaction that stores it,
/// so the answer to its POST and the next read agree; routing then works on that conversation.
@Suite("HTTP: interactions are threaded into conversations as they are stored")
struct IngestThreadingTests {
    static func conversations(_ api: API, customer: String) async throws -> [JSONValue] {
        try await api.get("/v1/conversations?customer_id=\(customer)").items
    }

    @Test("the conversation is there, counted and in the right status, as soon as the POST answers", arguments: Backend.available)
    func readYourWrites(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let email = try await api.createChannel(kind: "email", name: "support inbox")
            let first = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "Where is order 12?")
            let ivy = try #require(first["customer_id"]?.stringValue)
            // No waiting: the router has not necessarily read the event yet.
            let opened = try await Self.conversations(api, customer: ivy)
            #expect(opened.count == 1)
            #expect(opened.first?["interaction_count"]?.intValue == 1)
            #expect(opened.first?["status"]?.stringValue == "open")
            #expect(opened.first?["subject"]?.stringValue == "Where is order 12?")
            let conversationID = try #require(opened.first?["id"]?.stringValue)

            let reply = try await api.post("/v1/interactions", [
                "channel_id": .string(email), "customer_id": .string(ivy), "direction": "outbound", "body": "It ships today."])
            #expect(reply.status == .created, "\(reply.text)")
            let answered = try await Self.conversations(api, customer: ivy)
            #expect(answered.map { $0["id"]?.stringValue } == [conversationID])
            #expect(answered.first?["interaction_count"]?.intValue == 2)
            #expect(answered.first?["status"]?.stringValue == "pending", "the company's reply waits for the customer")
            let shown = try await api.get("/v1/conversations/\(conversationID)").json
            #expect(shown["interactions"]?.arrayValue?.count == 2)

            // A page view is activity, not conversation; a thread key opens its own conversation.
            let view = try await api.post("/v1/interactions", [
                "channel_id": .string(email), "customer_id": .string(ivy), "kind": "page_view", "body": "/orders/12"])
            #expect(view.status == .created, "\(view.text)")
            _ = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "Another question",
                                            metadata: ["thread_id": "T-9"])
            let all = try await Self.conversations(api, customer: ivy)
            #expect(all.count == 2)
            #expect(all.contains { $0["thread_key"]?.stringValue == "T-9" && $0["interaction_count"]?.intValue == 1 })

            // The changes are on the log by threading, which the router does not take for a person's change.
            let events = try await api.events()
            let conversationEvents = events.filter { ($0["type"]?.stringValue ?? "").hasPrefix("rapport.conversation.") && $0["type"]?.stringValue != "rapport.conversation.routed" }
            #expect(conversationEvents.compactMap { $0["type"]?.stringValue }.filter { $0 == "rapport.conversation.created" }.count == 2)
            #expect(conversationEvents.allSatisfy { $0["data"]?["actor"]?["id"]?.stringValue == "threading" })
        }
    }

    @Test("conversation.created rules run once for each conversation threading opens, with its first interaction",
          arguments: Backend.available)
    func conversationCreatedRules(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let chat = try await api.createChannel(kind: "chat", name: "web chat")
            let rule = try await api.post("/v1/rules", [
                "name": "Tag new chats about orders", "trigger": "conversation.created",
                "conditions": ["expression": #"interaction.body.contains("order")"#],
                "actions": ["tags": ["new-order-chat"]],
            ])
            #expect(rule.status == .created, "\(rule.text)")
            let first = try await RoutingTests.post(api, channel: chat, from: "joe@example.com", body: "Hi, about my order")
            _ = try await RoutingTests.post(api, channel: chat, from: "joe@example.com", body: "are you there?")
            let other = try await RoutingTests.post(api, channel: chat, from: "amy@example.com", body: "Just saying hello")
            let joe = try #require(first["customer_id"]?.stringValue)
            let amy = try #require(other["customer_id"]?.stringValue)
            let tagged = try await eventually("the rule tagged joe's conversation") {
                try await Self.conversations(api, customer: joe).first { $0["tags"]?.strings == ["new-order-chat"] }
            }
            let id = try #require(tagged["id"]?.stringValue)
            // Wait until the router has read everything, then count what it did.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let decisions = try await api.get("/v1/conversations/\(id)/decisions").items
            #expect(decisions.filter { $0["trigger"]?.stringValue == "conversation.created" }.count == 1)
            #expect(decisions.filter { $0["trigger"]?.stringValue == "interaction.created" }.count == 2)
            #expect(try await Self.conversations(api, customer: amy).first?["tags"]?.strings == [])
        }
    }
}
