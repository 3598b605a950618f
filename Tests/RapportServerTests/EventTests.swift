import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: event log")
struct EventTests {
    @Test("CloudEvents 1.0 with gapless sequences; each change is one event", arguments: Backend.available)
    func cloudEvents(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            // The first admin key is the only change so far.
            let start = try await api.get("/v1/events?after=0")
            #expect(start.status == .ok)
            #expect(start.items.compactMap { $0["type"]?.stringValue } == ["rapport.api_key.created"])

            let channel = try await api.createChannel(kind: "web", name: "Web")
            let created = try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])
            let id = try #require(created["id"]?.stringValue)
            _ = try await api.patch("/v1/customers/\(id)", ["company": "Lima GmbH"])
            // A patch that changes nothing is no change.
            let noop = try await api.patch("/v1/customers/\(id)", ["company": "Lima GmbH"])
            #expect(noop.status == .ok)
            #expect(noop.json["version"]?.intValue == 2)
            let interaction = try await api.post("/v1/interactions", ["channel_id": .string(channel), "customer_id": .string(id)])
            #expect(interaction.status == .created)
            let resolved = try await api.post("/v1/interactions", ["channel_id": .string(channel), "identity": "email:new@example.com"])
            let newCustomer = try #require(resolved.json["customer_id"]?.stringValue)
            #expect(try await api.delete("/v1/customers/\(id)").status == .noContent)
            // Refused requests add nothing.
            _ = try await api.post("/v1/customers", ["name": 5])
            _ = try await api.post("/v1/customers", ["name": "Dup", "emails": ["new@example.com"]])

            let events = try await api.events()
            let types = events.compactMap { $0["type"]?.stringValue }
            // Routing adds its own events (the conversations) as it follows the log, a moment later.
            #expect(types.filter { !$0.hasPrefix("rapport.conversation.") } == [
                "rapport.api_key.created", "rapport.channel.created", "rapport.customer.created", "rapport.customer.updated",
                "rapport.interaction.created", "rapport.customer.created", "rapport.interaction.created", "rapport.customer.deleted",
            ])
            let sequences = events.compactMap { $0["sequence"]?.stringValue }
            #expect(sequences.count == events.count)
            #expect(sequences.compactMap { Int64($0) } == Array(1...Int64(events.count)), "gapless from 1, in order")
            #expect(sequences.first == "00000000000000000001")
            #expect(sequences.allSatisfy { $0.count == sequences[0].count }, "zero-padded to one width")
            #expect(Set(events.compactMap { $0["id"]?.stringValue }).count == events.count, "event ids are unique")

            for event in events {
                #expect(event["specversion"]?.stringValue == "1.0")
                #expect(event["source"]?.stringValue?.isEmpty == false)
                #expect(event["id"]?.stringValue?.isEmpty == false)
                #expect(event["time"]?.stringValue.flatMap { Timestamp(rfc3339: $0) } != nil)
                #expect(event["datacontenttype"]?.stringValue == "application/json")
                #expect(event["data"]?.objectValue != nil)
            }
            let customerEvents = events.filter { $0["type"]?.stringValue?.hasPrefix("rapport.customer.") == true }
            #expect(customerEvents.compactMap { $0["subject"]?.stringValue } == [id, id, newCustomer, id])
            let interactionEvents = events.filter { $0["type"]?.stringValue == "rapport.interaction.created" }
            #expect(interactionEvents.compactMap { $0["subject"]?.stringValue } == [id, newCustomer], "subject is the customer id")
            #expect(customerEvents[0]["data"]?["customer"]?["id"]?.stringValue == id)
            #expect(customerEvents[1]["data"]?["changed_fields"]?.strings == ["company"])
            #expect(customerEvents[1]["data"]?["customer"]?["company"]?.stringValue == "Lima GmbH")
            #expect(customerEvents[1]["data"]?["actor"]?["type"]?.stringValue == "api_key")
        }
    }

    @Test("after and limit page through the log", arguments: Backend.available)
    func paging(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            for index in 1...6 {
                _ = try await api.createCustomer(["name": .string("Customer \(index)")])
            }
            let all = try await api.events()
            #expect(all.count == 7)
            let allSequences = all.compactMap { $0["sequence"]?.stringValue }

            let tail = try await api.get("/v1/events?after=4")
            #expect(tail.items.compactMap { $0["sequence"]?.stringValue.flatMap { Int64($0) } } == [5, 6, 7])
            #expect(tail.nextCursor == nil)
            #expect(try await api.get("/v1/events?after=7").items.isEmpty)
            #expect(try await api.get("/v1/events?after=100").items.isEmpty)

            var paged: [String] = []
            var uri = "/v1/events?after=0&limit=3"
            var pages = 0
            while true {
                pages += 1
                try #require(pages <= 10)
                let reply = try await api.get(uri)
                #expect(reply.items.count <= 3)
                paged += reply.items.compactMap { $0["sequence"]?.stringValue }
                guard let next = reply.nextCursor else { break }
                uri = "/v1/events?after=\(encodeQuery(next))&limit=3"
            }
            #expect(paged == allSequences)
            #expect(pages == 3)
        }
    }
}
