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
