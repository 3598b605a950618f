import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: interactions and timelines")
struct InteractionTests {
    /// The microseconds of an RFC 3339 time, so that `10:00:00Z` and `10:00:00.000Z` compare equal.
    private func instant(_ value: JSONValue?) -> Int64? {
        value?.stringValue.flatMap { Timestamp(rfc3339: $0)?.microseconds }
    }

    @Test("an unknown identity creates the customer; a known one resolves to it", arguments: Backend.available)
    func identityResolution(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let web = try await api.createChannel(kind: "web", name: "Web shop")
            let mail = try await api.createChannel(kind: "email", name: "Support mailbox")

            let first = try await api.post("/v1/interactions", [
                "channel_id": .string(web), "identity": "email:New.Person@Example.com", "customer_name": "New Person",
                "kind": "page_view", "occurred_at": "2026-03-01T10:00:00Z",
            ])
            #expect(first.status == .created, "\(first.text)")
            let interactionID = try #require(first.json["id"]?.stringValue)
            let customerID = try #require(first.json["customer_id"]?.stringValue)
            #expect(first.headers[.location] == "/v1/interactions/\(interactionID)")
            #expect(first.json["channel_id"]?.stringValue == web)
            #expect(first.json["kind"]?.stringValue == "page_view")
            #expect(first.json["direction"]?.stringValue == "inbound")
            #expect(instant(first.json["occurred_at"]) == instant(.string("2026-03-01T10:00:00Z")))

            let lookup = try await api.get("/v1/customers/lookup?email=new.person%40example.com")
            #expect(lookup.status == .ok)
            #expect(lookup.json["id"]?.stringValue == customerID)
            #expect(lookup.json["name"]?.stringValue == "New Person")
            #expect(lookup.json["emails"]?.strings == ["new.person@example.com"])

            let second = try await api.post("/v1/interactions", [
                "channel_id": .string(mail), "identity": "email: NEW.PERSON@example.com ", "kind": "email",
                "subject": "Where is my order?", "body": "Order 1001 has not arrived.",
            ])
            #expect(second.status == .created, "\(second.text)")
            #expect(second.json["customer_id"]?.stringValue == customerID)
            #expect(second.json["id"]?.stringValue != interactionID)
            #expect(try await api.allCustomers().count == 1)

            // By customer id as well.
            let third = try await api.post("/v1/interactions", ["channel_id": .string(mail), "customer_id": .string(customerID),
                                                                "direction": "outbound", "kind": "email"])
            #expect(third.status == .created)
            #expect(third.json["customer_id"]?.stringValue == customerID)

            let shown = try await api.get("/v1/interactions/\(interactionID)")
            #expect(shown.status == .ok)
            #expect(shown.json == first.json)
            let listed = try await api.get("/v1/interactions?customer_id=\(customerID)")
            #expect(listed.items.count == 3)
            #expect(try await api.get("/v1/interactions?channel_id=\(mail)").items.count == 2)

            expectProblem(try await api.post("/v1/interactions", ["channel_id": "chn_missing", "identity": "email:a@example.com"]),
                          .unprocessableContent, field: "channel_id")
            expectProblem(try await api.post("/v1/interactions", ["channel_id": .string(web), "customer_id": "cus_missing"]),
                          .unprocessableContent, field: "customer_id")
            expectProblem(try await api.post("/v1/interactions", ["channel_id": .string(web)]), .unprocessableContent, field: "customer_id")
            expectProblem(try await api.post("/v1/interactions", ["channel_id": .string(web), "identity": "email:nope"]),
                          .unprocessableContent, field: "identity")
            expectProblem(try await api.get("/v1/interactions/int_missing"), .notFound)
            #expect(try await api.allCustomers().count == 1)

            // A channel with interactions stays.
            expectProblem(try await api.delete("/v1/channels/\(web)"), .conflict)
            #expect(try await api.get("/v1/channels/\(web)").status == .ok)
        }
    }

    @Test("a repeated external_id returns the stored interaction with 200", arguments: Backend.available)
    func externalIDDeduplicates(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let phone = try await api.createChannel(kind: "phone", name: "Hotline")
            let body: JSONValue = ["channel_id": .string(phone), "identity": "phone:(415) 555-2671", "kind": "call",
                                   "external_id": "call-7781", "occurred_at": "2026-03-02T08:15:00Z"]
            let first = try await api.post("/v1/interactions", body)
            #expect(first.status == .created, "\(first.text)")
            let id = try #require(first.json["id"]?.stringValue)
            let head = try await api.eventHead()

            let again = try await api.post("/v1/interactions", body)
            #expect(again.status == .ok, "\(again.text)")
            #expect(again.json["id"]?.stringValue == id)
            #expect(again.json == first.json)

            // Another body with the same external id on the same channel still names the first one.
            var changed = try #require(body.objectValue)
            changed["subject"] = "retry"
            let retried = try await api.post("/v1/interactions", .object(changed))
            #expect(retried.status == .ok)
            #expect(retried.json["id"]?.stringValue == id)

            let listed = try await api.get("/v1/interactions?external_id=call-7781")
            #expect(listed.items.compactMap { $0["id"]?.stringValue } == [id])
            // Routing may still be adding the conversation's events for the first one; a repeat adds none.
            let later = try await api.events(after: head).compactMap { $0["type"]?.stringValue }
            #expect(later.allSatisfy { $0.hasPrefix("rapport.conversation.") }, "no events for a repeat: \(later)")
            #expect(try await api.allCustomers().count == 1)

            // The same external id on another channel is a different touchpoint.
            let sms = try await api.createChannel(kind: "sms", name: "SMS")
            var elsewhere = try #require(body.objectValue)
            elsewhere["channel_id"] = .string(sms)
            let other = try await api.post("/v1/interactions", .object(elsewhere))
            #expect(other.status == .created)
            #expect(other.json["id"]?.stringValue != id)
            #expect(other.json["customer_id"] == first.json["customer_id"])
        }
    }

    @Test("the timeline merges channels in occurred_at order, pages, and reverses", arguments: Backend.available)
    func timeline(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let web = try await api.createChannel(kind: "web", name: "Web shop")
            let chat = try await api.createChannel(kind: "chat", name: "Live chat")
            let id = try #require(try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])["id"]?.stringValue)
            let other = try #require(try await api.createCustomer(["name": "Bo"])["id"]?.stringValue)

            // Posted out of order across two channels.
            let plan: [(channel: String, time: String)] = [
                (web, "2026-03-01T12:00:00Z"), (chat, "2026-03-01T09:00:00Z"), (chat, "2026-03-01T15:30:00Z"),
                (web, "2026-03-01T10:45:00Z"), (web, "2026-02-28T23:59:59Z"),
            ]
            for entry in plan {
                let reply = try await api.post("/v1/interactions", ["channel_id": .string(entry.channel), "identity": "email:ana@example.com",
                                                                    "occurred_at": .string(entry.time)])
                #expect(reply.status == .created, "\(reply.text)")
                #expect(reply.json["customer_id"]?.stringValue == id)
            }
            _ = try await api.post("/v1/interactions", ["channel_id": .string(web), "customer_id": .string(other),
                                                        "occurred_at": "2026-03-01T11:00:00Z"])
            let ascending = plan.compactMap { instant(.string($0.time)) }.sorted()

            var seen: [JSONValue] = []
            var uri = "/v1/customers/\(id)/timeline?limit=2"
            var pages = 0
            while true {
                pages += 1
                try #require(pages <= 10)
                let reply = try await api.get(uri)
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(reply.items.count <= 2)
                seen += reply.items
                guard let next = reply.nextCursor else { break }
                uri = "/v1/customers/\(id)/timeline?limit=2&cursor=\(encodeQuery(next))"
            }
            #expect(pages == 3)
            #expect(seen.compactMap { instant($0["occurred_at"]) } == ascending)
            #expect(Set(seen.compactMap { $0["channel_id"]?.stringValue }) == [web, chat])
            #expect(seen.allSatisfy { $0["customer_id"]?.stringValue == id })
            #expect(Set(seen.compactMap { $0["id"]?.stringValue }).count == 5)

            let descending = try await api.get("/v1/customers/\(id)/timeline?order=desc")
            #expect(descending.items.compactMap { instant($0["occurred_at"]) } == ascending.reversed())
            #expect(descending.nextCursor == nil)

            var descendingPaged: [Int64] = []
            var descURI = "/v1/customers/\(id)/timeline?order=desc&limit=3"
            while true {
                let reply = try await api.get(descURI)
                descendingPaged += reply.items.compactMap { instant($0["occurred_at"]) }
                guard let next = reply.nextCursor, descendingPaged.count < 20 else { break }
                descURI = "/v1/customers/\(id)/timeline?order=desc&limit=3&cursor=\(encodeQuery(next))"
            }
            #expect(descendingPaged == ascending.reversed())

            expectProblem(try await api.get("/v1/customers/\(id)/timeline?order=sideways"), .badRequest, field: "order")
            expectProblem(try await api.get("/v1/customers/cus_missing/timeline"), .notFound)
        }
    }
}
