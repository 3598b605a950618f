import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// The seed scenarios' handoffs set going by records, with the templates' automations: a CSAT of 1
/// goes to sales, a service case turned feedback goes to sales once, a won deal goes to finance, a
/// loan application entering underwriting goes to finance — each in the record's own transaction.
@Suite("HTTP: record automations")
struct RecordAutomationTests {
    func handoffs(_ api: API, customer: String) async throws -> [JSONValue] {
        try await api.get("/v1/handoffs?customer_id=\(customer)").items
    }

    func department(_ api: API, id: String?) async throws -> String? {
        guard let id else { return nil }
        return try await api.get("/v1/departments/\(id)").json["key"]?.stringValue
    }

    @Test("a low satisfaction score and a feedback case go to sales, a won deal and an underwriting go to finance",
          arguments: Backend.available)
    func scenarios(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            for template in ["service", "finance", "banking"] {
                #expect(try await api.post("/v1/templates/\(template)/install", .object([:])).status == .ok)
            }
            let customer = try #require(try await api.createCustomer(["name": "Mia Chen"])["id"]?.stringValue)

            // CSAT 1: a feedback handoff from service to sales, in the same write.
            let low = try await api.post("/v1/records/satisfaction", ["customer_id": .string(customer), "fields": ["kind": "csat", "score": 1]])
            #expect(low.status == .created, "\(low.text)")
            var open = try await handoffs(api, customer: customer)
            #expect(open.count == 1)
            #expect(open.first?["kind"]?.stringValue == "feedback")
            #expect(try await department(api, id: open.first?["from_department_id"]?.stringValue) == "service")
            #expect(try await department(api, id: open.first?["to_department_id"]?.stringValue) == "sales")
            #expect(open.first?["reason"]?.stringValue?.contains(try #require(low.json["id"]?.stringValue)) == true)
            // A good score sets nothing going; nor does a record about no customer.
            _ = try await api.post("/v1/records/satisfaction", ["customer_id": .string(customer), "fields": ["kind": "nps", "score": 9]])
            _ = try await api.post("/v1/records/satisfaction", ["fields": ["kind": "csat", "score": 1]])
            #expect(try await handoffs(api, customer: customer).count == 1)

            // A case becomes feedback: once, not again on the next change while it stays feedback.
            let caseID = try #require(try await api.post("/v1/records/case", ["customer_id": .string(customer), "fields": ["subject": "Late parcel"]])
                .json["id"]?.stringValue)
            #expect(try await handoffs(api, customer: customer).count == 1)
            _ = try await api.patch("/v1/records/case/\(caseID)", ["fields": ["category": "feedback"]])
            _ = try await api.patch("/v1/records/case/\(caseID)", ["fields": ["description": "The parcel came a week late"]])
            #expect(try await handoffs(api, customer: customer).count == 2)

            // A deal entering won goes to finance.
            let deal = try #require(try await api.post("/v1/records/deal", ["customer_id": .string(customer), "fields": ["title": "Fleet"]])
                .json["id"]?.stringValue)
            let won = try await api.patch("/v1/records/deal/\(deal)", ["stage": "won", "fields": ["amount": ["amount": "9000", "currency": "EUR"]]])
            #expect(won.status == .ok, "\(won.text)")
            open = try await handoffs(api, customer: customer)
            #expect(open.count == 3)
            let wonDeal = open.first { $0["kind"]?.stringValue == "won_deal" }
            #expect(try await department(api, id: wonDeal?["to_department_id"]?.stringValue) == "finance")

            // A loan application entering underwriting goes to finance, with its SLA.
            let loan = try #require(try await api.post("/v1/records/loan_application", ["customer_id": .string(customer), "fields": [
                "amount": ["amount": "25000", "currency": "EUR"], "purpose": "car", "term_months": 48]]).json["id"]?.stringValue)
            _ = try await api.patch("/v1/records/loan_application/\(loan)", ["stage": "documents"])
            #expect(try await handoffs(api, customer: customer).count == 3)
            _ = try await api.patch("/v1/records/loan_application/\(loan)", ["stage": "underwriting"])
            let all = try await handoffs(api, customer: customer)
            #expect(all.count == 4)
            #expect(all.contains { $0["reason"]?.stringValue?.hasPrefix("Underwrite this loan application") == true })

            // The record's event and the handoff's are on the log together, the record's first.
            let types = try await api.events().compactMap { $0["type"]?.stringValue }
            let index = try #require(types.lastIndex(of: "rapport.handoff.requested"))
            #expect(types[index - 1] == "rapport.record.updated")
        }
    }

    @Test("a computed field's change sets its record's automations going, once, in the write that changed it", arguments: Backend.available)
    func computedFields(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let name: JSONValue = ["key": "name", "label": "Name", "kind": "text"]
            #expect(try await api.post("/v1/record-types", ["key": "trip", "label": "Trip", "plural_label": "Trips", "fields": [name]]).status == .created)
            #expect(try await api.post("/v1/record-types", ["key": "leg", "label": "Leg", "plural_label": "Legs", "fields": [
                name, ["key": "trip", "label": "Trip", "kind": "reference", "target": "record:trip"]]]).status == .created)
            // Three legs or more make a trip worth a call from sales.
            let trip = try await api.put("/v1/record-types/trip", ["label": "Trip", "plural_label": "Trips", "fields": [
                name, ["key": "legs", "label": "Legs", "kind": "number", "rollup": ["from": "leg", "via": "trip", "function": "count"]]],
                "automations": [["key": "long_trip", "label": "A long trip goes to sales", "on": "changed", "when": "record.fields.legs >= 3",
                                 "handoff": ["kind": "upsell_lead", "from": "service", "to": "sales", "reason": "A trip of three legs or more"]]]])
            #expect(trip.status == .ok, "\(trip.text)")
            let customer = try #require(try await api.createCustomer(["name": "Tom Travel"])["id"]?.stringValue)
            let tripID = try #require(try await api.post("/v1/records/trip", ["customer_id": .string(customer), "fields": ["name": "Round Europe"]])
                .json["id"]?.stringValue)
            for leg in 1...4 {
                let made = try await api.post("/v1/records/leg", ["fields": ["name": .string("Leg \(leg)"), "trip": .string(tripID)]])
                #expect(made.status == .created, "\(made.text)")
                let open = try await handoffs(api, customer: customer)
                #expect(try await api.get("/v1/records/trip/\(tripID)").json["fields"]?["legs"]?.intValue == Int64(leg))
                // None for one or two legs; the third turns the condition true; the fourth keeps it true.
                #expect(open.count == (leg >= 3 ? 1 : 0), "after leg \(leg): \(open)")
            }
            let handoff = try #require(try await handoffs(api, customer: customer).first)
            #expect(handoff["kind"] == "upsell_lead")
            #expect(handoff["reason"]?.stringValue?.contains(tripID) == true)
            #expect(try await department(api, id: handoff["to_department_id"]?.stringValue) == "sales")

            // The reference the count goes through cannot be retired from under it.
            let retire = try await api.put("/v1/record-types/leg", ["label": "Leg", "plural_label": "Legs", "fields": [name]])
            expectProblem(retire, .unprocessableContent, field: "fields")
            #expect(retire.text.contains("leg.trip is summed up by trip.legs"), "\(retire.text)")
            let retyped = try await api.put("/v1/record-types/leg", ["label": "Leg", "plural_label": "Legs", "fields": [
                name, ["key": "trip", "label": "Trip", "kind": "text"]]])
            expectProblem(retyped, .unprocessableContent, field: "fields[1]")
            #expect(try await api.get("/v1/records/trip/\(tripID)").json["fields"]?["legs"]?.intValue == 4)
        }
    }

    @Test("an automation's definition is checked: its trigger, stage, condition and handoff")
    func definitions() async throws {
        try await withApp(.sqlite) { api, _ in
            let bad = try await api.post("/v1/record-types", [
                "key": "ticket", "label": "Ticket", "fields": [["key": "title", "label": "Title", "kind": "text"]],
                "stages": [["key": "new", "label": "New"]],
                "automations": [
                    ["key": "a", "on": "stage", "stage": "gone", "handoff": ["kind": "feedback", "reason": "x"]],
                    ["key": "b", "on": "created", "when": "record.fields.title ==", "handoff": ["kind": "feedback", "reason": "x"]],
                    ["key": "c", "on": "sometimes", "handoff": ["kind": "other", "reason": "x"]],
                    ["key": "d", "on": "created"],
                ],
            ])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorFields) == ["automations[0].stage", "automations[1].when", "automations[2].on", "automations[2].handoff.to",
                                             "automations[3].handoff"], "\(bad.text)")
            let nowhere = try await api.post("/v1/record-types", [
                "key": "ticket", "label": "Ticket", "fields": [["key": "title", "label": "Title", "kind": "text"]],
                "automations": [["key": "a", "on": "created", "handoff": ["kind": "other", "from": "service", "to": "astrology", "reason": "x"]]],
            ])
            expectProblem(nowhere, .unprocessableContent, field: "automations[0].handoff.to")
        }
    }
}

extension RecordAutomationTests {
    @Test("a cart started on the web is the same cart when the same person continues in the app, also after a merge",
          arguments: Backend.available)
    func cartAcrossChannels(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/templates/ecommerce/install", .object([:])).status == .ok)
            let web = try await api.createChannel(kind: "web", name: "Shop")
            let app = try await api.createChannel(kind: "mobile_app", name: "Shop app")
            // Signed in on the web: the email is the identity.
            let browsing = try await api.post("/v1/interactions", ["channel_id": .string(web), "identity": "email:ana@example.com",
                                                                  "customer_name": "Ana", "kind": "page_view"])
            let ana = try #require(browsing.json["customer_id"]?.stringValue, "\(browsing.text)")
            let cart = try await api.post("/v1/records/cart", ["customer_id": .string(ana), "fields": ["started_on": "web",
                                                                                                         "total": ["amount": "59.90", "currency": "EUR"]]])
            let cartID = try #require(cart.json["id"]?.stringValue, "\(cart.text)")
            // In the app, the same email: the same customer, whose open cart is the one from the web.
            let opened = try await api.post("/v1/interactions", ["channel_id": .string(app), "identity": "email:ANA@example.com", "kind": "page_view"])
            #expect(opened.json["customer_id"]?.stringValue == ana, "\(opened.text)")
            let carts = try await api.get("/v1/records/cart?customer_id=\(ana)&filter=\(encodeQuery(#"stage == "open""#))").items
            #expect(carts.compactMap { $0["id"]?.stringValue } == [cartID])
            let continued = try await api.patch("/v1/records/cart/\(cartID)", ["fields": ["last_channel": "app"]])
            #expect(continued.json["fields"]?["started_on"]?.stringValue == "web")

            // An anonymous visitor's cart follows her when her device is found to be Ana's.
            let anonymous = try await api.post("/v1/interactions", ["channel_id": .string(web), "identity": "device:browser-7f3a", "kind": "page_view"])
            let visitor = try #require(anonymous.json["customer_id"]?.stringValue)
            #expect(visitor != ana)
            let second = try #require(try await api.post("/v1/records/cart", ["customer_id": .string(visitor), "fields": ["started_on": "web"]])
                .json["id"]?.stringValue)
            #expect(try await api.post("/v1/customers/\(ana)/merge", ["customer_ids": [.string(visitor)]]).status == .ok)
            let after = try await api.get("/v1/records/cart?customer_id=\(ana)&sort=created_at").items.compactMap { $0["id"]?.stringValue }
            #expect(after == [cartID, second])
        }
    }

    @Test("a department an automation names is kept while the automation names it; a template needing a deleted one installs nothing",
          arguments: Backend.available)
    func departmentsNamed(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let departments = try await api.get("/v1/departments").items
            let finance = try #require(departments.first { $0["key"] == "finance" }?["id"]?.stringValue)

            // Without finance, banking (a loan application goes to finance) cannot be installed: nothing is.
            #expect(try await api.delete("/v1/departments/\(finance)").status == .noContent)
            let refused = try await api.post("/v1/templates/banking/install", .object([:]))
            expectProblem(refused, .unprocessableContent, field: "loan_application.automations[0].handoff.to")
            #expect(try await api.get("/v1/record-types").items.isEmpty)

            // With it again, the install passes, and the department is kept while the automations name it.
            let again = try #require(try await api.post("/v1/departments", ["key": "finance", "name": "Finance"]).json["id"]?.stringValue)
            #expect(try await api.post("/v1/templates/sales/install", .object([:])).status == .ok)
            let kept = try await api.delete("/v1/departments/\(again)")
            expectProblem(kept, .conflict)
            #expect(kept.json["detail"]?.stringValue?.contains("record type deal") == true, "\(kept.text)")
            expectProblem(try await api.patch("/v1/departments/\(again)", ["key": "billing"]), .conflict, field: "key")
            #expect(try await api.get("/v1/departments/\(again)").json["key"] == "finance")
        }
    }
}
