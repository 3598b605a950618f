import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// Marketing's segments over what sales records about customers: the count is the members', and
/// it is current at the next request; each customer who comes or goes is an event.
@Suite("HTTP: segments")
struct SegmentsTests {
    func count(_ api: API, _ id: String) async throws -> Int64? {
        try await api.get("/v1/segments/\(id)").json["count"]?.intValue
    }

    @Test("a salesperson records customers' needs and marketing's segment on them counts them live", arguments: Backend.available)
    func liveCount(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try #require(try await api.createCustomer(["name": "Ana", "lifecycle_stage": "lead", "attributes": ["interest": "solar"]])["id"]?.stringValue)
            _ = try await api.createCustomer(["name": "Bo", "lifecycle_stage": "lead", "attributes": ["interest": "wind"]])
            _ = try await api.createCustomer(["name": "Cy", "lifecycle_stage": "customer", "attributes": ["interest": "solar"]])

            let made = try await api.post("/v1/segments", ["name": "Solar leads", "filter": #"lifecycle_stage == "lead" && attributes.interest == "solar""#])
            #expect(made.status == .created, "\(made.text)")
            #expect(made.json["count"] == 1)
            let segment = try #require(made.json["id"]?.stringValue)

            // A salesperson learns that Bo wants solar after all: the next read counts Bo.
            let bo = try #require(try await api.get("/v1/customers?name_prefix=Bo").items.first?["id"]?.stringValue)
            #expect(try await api.patch("/v1/customers/\(bo)", ["attributes": ["interest": "solar"]]).status == .ok)
            #expect(try await count(api, segment) == 2)
            // Ana becomes a customer: she leaves.
            #expect(try await api.patch("/v1/customers/\(ana)", ["lifecycle_stage": "customer"]).status == .ok)
            #expect(try await count(api, segment) == 1)
            let members = try await api.get("/v1/segments/\(segment)/members").items
            #expect(members.compactMap { $0["customer_id"]?.stringValue } == [bo])
            #expect(members.first?["name"] == "Bo")

            // Each move is on the log, about the customer.
            let entered = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.segment.entered""#))").items
            #expect(entered.compactMap { $0["subject"]?.stringValue } == [bo], "\(entered)")
            let left = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.segment.left""#))").items
            #expect(left.compactMap { $0["subject"]?.stringValue } == [ana])
            #expect(left.first?["data"]?["segment"]?["segment_id"]?.stringValue == segment)

            // A new filter recomputes the members in the same write; a deleted customer leaves.
            let widened = try await api.put("/v1/segments/\(segment)", ["name": "Solar", "filter": #"attributes.interest == "solar""#])
            #expect(widened.status == .ok, "\(widened.text)")
            #expect(widened.json["count"] == 3)
            #expect(try await api.delete("/v1/customers/\(ana)").status == .noContent)
            #expect(try await count(api, segment) == 2)
            let listed = try await api.get("/v1/segments").items
            #expect(listed.map { $0["count"] } == [2])
        }
    }

    @Test("bad filters and names are refused naming the field, and nothing is stored", arguments: Backend.available)
    func refusals(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": "lifecycle_stage =="]), .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": "attributes.score > 5"]), .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": "attributes[\"a b\"] == \"x\""]), .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": "shoe_size == \"9\""]), .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["filter": "attributes.vip"]), .unprocessableContent, field: "name")
            #expect(try await api.post("/v1/segments", ["name": "VIP", "description": nil, "filter": "attributes.vip"]).status == .created)
            expectProblem(try await api.post("/v1/segments", ["name": "VIP", "filter": "attributes.vip == true"]), .conflict, field: "name")
            #expect(try await api.get("/v1/segments").items.count == 1)
            let viewer = try await api.createKey(role: "viewer")
            expectProblem(try await api.post("/v1/segments", ["name": "Y", "filter": "attributes.vip"], auth: .bearer(viewer.secret)), .forbidden)
            #expect(try await api.get("/v1/segments", auth: .bearer(viewer.secret)).status == .ok)
        }
    }

    @Test("a segment over customers' records counts customers with a won deal of 10,000 or more, live as deals move", arguments: Backend.available)
    func overRecords(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/sales/install", [:]).status == .ok)
            let ana = try #require(try await api.createCustomer(["name": "Ana"])["id"]?.stringValue)
            let bo = try #require(try await api.createCustomer(["name": "Bo"])["id"]?.stringValue)
            let cy = try #require(try await api.createCustomer(["name": "Cy"])["id"]?.stringValue)
            func deal(_ customer: String, _ amount: String) async throws -> String {
                let made = try await api.post("/v1/records/deal", ["customer_id": .string(customer),
                                                                   "fields": ["title": "Roof", "amount": ["amount": .string(amount), "currency": "EUR"]]])
                #expect(made.status == .created, "\(made.text)")
                return try #require(made.json["id"]?.stringValue)
            }
            let big = try await deal(ana, "12000.00")
            let small = try await deal(bo, "5000.00")
            #expect(try await api.patch("/v1/records/deal/\(small)", ["stage": "won"]).status == .ok)

            let filter = #"records.deal.exists(d, d.stage == "won" && d.fields.amount.amount >= 10000)"#
            let made = try await api.post("/v1/segments", ["name": "Big wins", "filter": .string(filter)])
            #expect(made.status == .created, "\(made.text)")
            #expect(made.json["count"] == 0)
            let segment = try #require(made.json["id"]?.stringValue)

            // Sales wins Ana's deal: the next read counts her, and she entered on the log.
            #expect(try await api.patch("/v1/records/deal/\(big)", ["stage": "won"]).status == .ok)
            #expect(try await count(api, segment) == 1)
            #expect(try await api.get("/v1/segments/\(segment)/members").items.compactMap { $0["customer_id"]?.stringValue } == [ana])
            let entered = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.segment.entered""#))").items
            #expect(entered.compactMap { $0["subject"]?.stringValue } == [ana])
            // The deal moves to Cy: he enters and she leaves, both in the same read.
            let moved = try await api.patch("/v1/records/deal/\(big)", ["customer_id": .string(cy)])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await api.get("/v1/segments/\(segment)/members").items.compactMap { $0["customer_id"]?.stringValue } == [cy])
            let left = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.segment.left""#))").items
            #expect(left.compactMap { $0["subject"]?.stringValue } == [ana])
            let move = try await api.get("/v1/events?after=0&filter=\(encodeQuery(#"type == "rapport.record.updated" && "customer_id" in data.changed_fields"#))").items
            #expect(move.compactMap { $0["data"]?["previous_customer_id"]?.stringValue } == [ana])
            // The deal is deleted: he leaves.
            #expect(try await api.delete("/v1/records/deal/\(big)").status == .noContent)
            #expect(try await count(api, segment) == 0)

            // The customers' list and export take the same filter.
            let any = #"records.deal.exists(d, d.stage == "won")"#
            #expect(try await api.get("/v1/customers?filter=\(encodeQuery(any))").items.compactMap { $0["id"]?.stringValue } == [bo])
            #expect(try await api.get("/v1/customers?filter=\(encodeQuery("!" + any))").items.count == 2)

            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": #"records.spaceship.exists(s, s.stage == "won")"#]),
                          .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": #"records.deal.exists(d, stage == "won")"#]),
                          .unprocessableContent, field: "filter")
            expectProblem(try await api.post("/v1/segments", ["name": "X", "filter": #"records.deal.exists(d, d.fields.colour == "red")"#]),
                          .unprocessableContent, field: "filter")
        }
    }
}
