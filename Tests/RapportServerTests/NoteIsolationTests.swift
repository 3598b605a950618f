import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// A department's private note reaches no webhook: a subscription belongs to no department, so
/// its receiver gets the open note's event and neither the private one's nor anyone's notification.
@Suite("HTTP: private notes and webhooks")
struct NoteIsolationTests {
    @Test("a webhook receives the open note's event, never the private note's or a notification", arguments: Backend.available)
    func webhooksNeverCarryPrivateNotes(backend: Backend) async throws {
        let receiver = Receiver()
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                let (subscription, _) = try await WebhookTests.subscribe(api, sink: sink, filters: [
                    ["any": [["prefix": ["type": "rapport.note."]], ["prefix": ["type": "rapport.notification."]]]],
                ])
                let ana = try await NotesTests.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
                let sam = try await NotesTests.person(api, email: "sam@example.com", name: "Sam Service", role: "agent", department: "service")
                let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
                let secret = try await api.post("/v1/notes", ["customer_id": .string(customer), "visibility": "department",
                                                              "body": "Refund fraud suspected @sam"], auth: ana.auth)
                let secretID = try #require(secret.json["id"]?.stringValue, "\(secret.text)")
                let open = try await api.post("/v1/notes", ["customer_id": .string(customer), "body": "Prefers email @sam"], auth: ana.auth)
                let openID = try #require(open.json["id"]?.stringValue)
                #expect(try await NotesTests.unread(api, sam) == 2)
                // The fan-out reads the log in order: once it has passed the open note's event (the
                // last of them), it has passed everything before.
                try await api.waitForConsumer("webhooks", toReach: try await api.eventHead())
                let log = try await WebhookTests.deliveries(api, subscription) { items in
                    items.allSatisfy { $0["status"]?.stringValue == "delivered" } && !items.isEmpty
                }
                #expect(log.count == 1, "\(log)")
                let calls = try await receiver.waitFor(1)
                #expect(calls.count == 1)
                #expect(calls.allSatisfy { !$0.body.contains(secretID) && !$0.body.contains("Refund fraud") })
                #expect(calls.first?.body.contains(openID) == true)
                #expect(calls.allSatisfy { !$0.body.contains("rapport.notification.created") })
            }
        }
    }
}
