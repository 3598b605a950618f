import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// The seed scenarios across departments and channels, end to end over HTTP: marketing's campaign
/// to a segment lands on each customer's timeline; a loan application started online continues at
/// a branch and goes to finance for underwriting.
@Suite("HTTP: department scenarios")
struct DepartmentScenarioTests {
    @Test("a campaign to a segment: each customer's result is on their timeline, and the results count per outcome", arguments: Backend.available)
    func campaignResults(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/marketing/install", .object([:])).json["installed"] == ["campaign", "campaign_result", "consent"])
            var customers: [String] = []
            for (name, interest) in [("Ana", "solar"), ("Bo", "solar"), ("Cy", "wind")] {
                customers.append(try #require(try await api.createCustomer(["name": .string(name), "attributes": ["interest": .string(interest)]])["id"]?.stringValue))
            }
            let segment = try await api.post("/v1/segments", ["name": "Solar", "filter": #"attributes.interest == "solar""#])
            let segmentID = try #require(segment.json["id"]?.stringValue)
            expectProblem(try await api.post("/v1/records/campaign", ["fields": ["name": "Spring", "segment": "solar"]]),
                          .unprocessableContent, field: "fields.segment")
            let campaign = try await api.post("/v1/records/campaign", ["fields": ["name": "Spring solar offer", "segment": .string(segmentID),
                                                                                  "starts_on": "2027-03-01"]])
            let campaignID = try #require(campaign.json["id"]?.stringValue, "\(campaign.text)")
            #expect(try await api.patch("/v1/records/campaign/\(campaignID)", ["stage": "running"]).status == .ok)

            // The audience is the segment's members; each gets a result from the sending system.
            let audience = try await api.get("/v1/segments/\(segmentID)/members").items.compactMap { $0["customer_id"]?.stringValue }
            #expect(audience == customers.prefix(2).sorted())
            for (customer, outcomes) in zip(customers.prefix(2), [["sent", "opened", "clicked"], ["sent", "bounced"]]) {
                for outcome in outcomes {
                    let result = try await api.post("/v1/records/campaign_result", [
                        "customer_id": .string(customer),
                        "fields": ["campaign": .string(campaignID), "outcome": .string(outcome), "occurred_at": "2027-03-01T09:00:00Z"]])
                    #expect(result.status == .created, "\(result.text)")
                }
            }
            // On Ana's timeline: her three results, about the campaign.
            let activity = try await api.get("/v1/customers/\(customers[0])/activity?order=asc").items.filter { $0["type"] == "record" }
            #expect(activity.compactMap { $0["record"]?["fields"]?["outcome"]?.stringValue } == ["sent", "opened", "clicked"])
            #expect(activity.allSatisfy { $0["record"]?["fields"]?["campaign"]?.stringValue == campaignID })
            #expect(try await api.get("/v1/customers/\(customers[2])/activity").items.filter { $0["type"] == "record" }.isEmpty)

            // The campaign's results, counted per outcome in the database.
            let filter = encodeQuery("fields.campaign == \"\(campaignID)\"")
            let counts = try await api.get("/v1/aggregates?source=records.campaign_result&group_by=fields.outcome&filter=\(filter)")
            let byOutcome = Dictionary(uniqueKeysWithValues: (counts.json["data"]?.arrayValue ?? []).compactMap { row in
                row["group"]?["fields.outcome"]?.stringValue.map { ($0, row["values"]?["count"]?.intValue ?? 0) }
            })
            #expect(byOutcome == ["sent": 2, "opened": 1, "clicked": 1, "bounced": 1], "\(counts.text)")
        }
    }

    @Test("a loan application started online continues at a branch, and underwriting goes to finance", arguments: Backend.available)
    func loanAcrossChannels(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/banking/install", .object([:])).status == .ok)
            let web = try await api.createChannel(kind: "web", name: "Online banking")
            let branch = try await api.createChannel(kind: "store", name: "Branch Mitte")
            // Online: the customer signs in with her email and applies.
            let visit = try await api.post("/v1/interactions", ["channel_id": .string(web), "identity": "email:mei@example.com",
                                                                "customer_name": "Mei Wong", "kind": "form_submission", "body": "Loan application"])
            let mei = try #require(visit.json["customer_id"]?.stringValue, "\(visit.text)")
            let applied = try await api.post("/v1/records/loan_application", [
                "customer_id": .string(mei),
                "fields": ["amount": ["amount": "25000", "currency": "EUR"], "purpose": "car", "term_months": 60, "channel": "web"]])
            let loan = try #require(applied.json["id"]?.stringValue, "\(applied.text)")
            #expect(applied.json["stage"] == "applied")

            // At the branch: a clerk of sales finds her by the same email and carries the application on.
            let clerk = try await NotesTests.person(api, email: "clerk@bank.example", name: "Jonas Weber", role: "agent", department: "sales")
            let visitAtBranch = try await api.post("/v1/interactions", ["channel_id": .string(branch), "identity": "email:Mei@Example.com",
                                                                        "kind": "visit", "body": "Brought payslips"])
            #expect(visitAtBranch.json["customer_id"]?.stringValue == mei)
            let found = try await api.get("/v1/records/loan_application?customer_id=\(mei)", auth: clerk.auth).items
            #expect(found.compactMap { $0["id"]?.stringValue } == [loan])
            let documents = try await api.patch("/v1/records/loan_application/\(loan)", ["stage": "documents", "fields": ["documents_received": true]],
                                                auth: clerk.auth)
            #expect(documents.status == .ok, "\(documents.text)")
            #expect(documents.json["fields"]?["channel"] == "web")
            #expect(try await api.patch("/v1/records/loan_application/\(loan)", ["stage": "underwriting"], auth: clerk.auth).status == .ok)

            // Underwriting is finance's, with its SLA; the history shows who moved it where.
            let handoffs = try await api.get("/v1/handoffs?customer_id=\(mei)").items
            #expect(handoffs.count == 1)
            #expect(handoffs.first?["sla_minutes"] == 960)
            let stages = try await api.get("/v1/records/loan_application/\(loan)/stages").items
            #expect(stages.compactMap { $0["stage"]?.stringValue } == ["applied", "documents", "underwriting"])
            #expect(stages.last?["moved_by"]?["id"]?.stringValue == clerk.id, "\(stages)")
            // Her timeline holds both visits and the application.
            let kinds = try await api.get("/v1/customers/\(mei)/activity?order=asc").items.compactMap { $0["type"]?.stringValue }
            #expect(kinds.filter { $0 == "interaction" }.count == 2)
            #expect(kinds.contains("record"))
        }
    }

    @Test("a booking changed by phone updates the itinerary: its dates, total and count follow the bookings", arguments: Backend.available)
    func bookingChangedByPhone(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/travel/install", .object([:])).status == .ok)
            let web = try await api.createChannel(kind: "web", name: "Bookings site")
            let phone = try await api.createChannel(kind: "phone", name: "Travel desk")
            let visit = try await api.post("/v1/interactions", ["channel_id": .string(web), "identity": "email:lena@example.com",
                                                                "customer_name": "Lena Fischer", "kind": "form_submission", "body": "Lisbon trip"])
            let lena = try #require(visit.json["customer_id"]?.stringValue)
            let trip = try await api.post("/v1/records/itinerary", ["customer_id": .string(lena), "fields": ["name": "Lisbon in May"]])
            let tripID = try #require(trip.json["id"]?.stringValue, "\(trip.text)")
            #expect(trip.json["fields"]?["bookings"] == 0)
            expectProblem(try await api.patch("/v1/records/itinerary/\(tripID)", ["fields": ["total": ["amount": "1", "currency": "EUR"]]]),
                          .unprocessableContent, field: "fields.total")

            func book(_ kind: String, _ reference: String, _ starts: String, _ ends: String, _ price: String) async throws -> String {
                let made = try await api.post("/v1/records/booking", ["customer_id": .string(lena), "fields": [
                    "kind": .string(kind), "reference": .string(reference), "starts_at": .string(starts), "ends_at": .string(ends),
                    "price": ["amount": .string(price), "currency": "EUR"], "channel": "web", "itinerary": .string(tripID)]])
                return try #require(made.json["id"]?.stringValue, "\(made.text)")
            }
            let flight = try await book("flight", "LH1172", "2027-05-03T07:10:00Z", "2027-05-03T09:55:00Z", "189.00")
            _ = try await book("hotel", "H-88231", "2027-05-03T14:00:00Z", "2027-05-07T11:00:00Z", "612.40")
            let tour = try await book("activity", "A-551", "2027-05-05T09:00:00Z", "2027-05-05T13:00:00Z", "45.00")
            var itinerary = try await api.get("/v1/records/itinerary/\(tripID)").json["fields"]
            #expect(itinerary?["starts_at"] == "2027-05-03T07:10:00.000Z")
            #expect(itinerary?["ends_at"] == "2027-05-07T11:00:00.000Z")
            #expect(itinerary?["total"] == ["amount": "846.40", "currency": "EUR"])
            #expect(itinerary?["bookings"] == 3)

            // Lena calls: the flight moves a day earlier, and the tour is cancelled.
            let call = try await api.post("/v1/interactions", ["channel_id": .string(phone), "identity": "email:lena@example.com",
                                                               "kind": "call", "body": "Fly a day earlier; drop the tour"])
            #expect(call.json["customer_id"]?.stringValue == lena)
            let moved = try await api.patch("/v1/records/booking/\(flight)", ["stage": "changed", "fields": [
                "starts_at": "2027-05-02T07:10:00Z", "ends_at": "2027-05-02T09:55:00Z", "price": ["amount": "214.00", "currency": "EUR"],
                "channel": "phone", "change_note": "Moved to 2 May by phone"]])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await api.patch("/v1/records/booking/\(tour)", ["stage": "cancelled"]).status == .ok)
            itinerary = try await api.get("/v1/records/itinerary/\(tripID)").json["fields"]
            #expect(itinerary?["starts_at"] == "2027-05-02T07:10:00.000Z")
            #expect(itinerary?["total"] == ["amount": "826.40", "currency": "EUR"])
            #expect(itinerary?["bookings"] == 2)
            // The itinerary's change is an event like any record's (for its subscribers and the timeline's live view).
            let updates = try await api.get("/v1/events?after=0&filter=\(encodeQuery("type == \"rapport.record.updated\" && data.record.id == \"\(tripID)\""))").items
            #expect(updates.count >= 2, "\(updates.count)")
        }
    }

    @Test("a computed field must sum up a type that refers to this one, through its reference, a field of its kind", arguments: Backend.available)
    func rollupDefinitions(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/travel/install", .object([:])).status == .ok)
            func trip(_ rollup: JSONValue, kind: String = "money", required: Bool = false) -> JSONValue {
                ["key": "trip", "label": "Trip", "plural_label": "Trips",
                 "fields": [["key": "name", "label": "Name", "kind": "text"],
                            ["key": "total", "label": "Total", "kind": .string(kind), "required": .bool(required), "rollup": rollup]]]
            }
            expectProblem(try await api.post("/v1/record-types", trip(["from": "nothing", "via": "itinerary", "function": "sum", "field": "price"])),
                          .unprocessableContent, field: "fields[1].rollup.from")
            expectProblem(try await api.post("/v1/record-types", trip(["from": "booking", "via": "itinerary", "function": "sum", "field": "price"])),
                          .unprocessableContent, field: "fields[1].rollup.via")
            expectProblem(try await api.post("/v1/record-types", trip(["from": "booking", "via": "itinerary", "function": "sum", "field": "price"], kind: "text")),
                          .unprocessableContent, field: "fields[1].kind")
            expectProblem(try await api.post("/v1/record-types", trip(["from": "booking", "via": "itinerary", "function": "sum"], required: true)),
                          .unprocessableContent, field: "fields[1].rollup")
            expectProblem(try await api.post("/v1/record-types", trip(["from": "booking", "via": "itinerary", "function": "max", "field": "price", "when": "record.stage =="])),
                          .unprocessableContent, field: "fields[1].rollup.when")
            #expect(try await api.get("/v1/record-types/trip").status == .notFound)
        }
    }
}
