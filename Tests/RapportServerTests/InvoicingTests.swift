import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// Sales wins a deal, finance hears of it (a handoff) and invoices it: the invoice carries the
/// deal's lines, and finance's monthly actuals against sales' forecast move with it.
@Suite("HTTP: invoicing a won deal")
struct InvoicingTests {
    @Test("moving a deal to won yields an invoice with its lines, once, and the month's invoiced total changes", arguments: Backend.available)
    func wonDealBecomesInvoice(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            // Without the finance template there is nothing to invoice with.
            expectProblem(try await api.post("/v1/deals/rec_nothing/invoice", .object([:])), .conflict)
            #expect(try await api.post("/v1/templates/finance/install", .object([:])).status == .ok)
            expectProblem(try await api.post("/v1/deals/rec_nothing/invoice", .object([:])), .notFound)

            let customer = try #require(try await api.createCustomer(["name": "Nordwind GmbH"])["id"]?.stringValue)
            let deal = try await api.post("/v1/records/deal", ["customer_id": .string(customer),
                                                              "fields": ["title": "Fleet renewal", "amount": ["amount": "269.53", "currency": "EUR"],
                                                                         "close_date": "2026-12-30"]])
            let dealID = try #require(deal.json["id"]?.stringValue, "\(deal.text)")
            for line: JSONValue in [
                ["deal": .string(dealID), "product": "Seat", "quantity": 2, "unit_price": ["amount": "100", "currency": "EUR"], "discount": 10, "tax_rate": 20],
                ["deal": .string(dealID), "product": "Support", "quantity": 1.5, "unit_price": ["amount": "33.33", "currency": "EUR"], "tax_rate": 7],
                ["deal": .string(dealID), "product": "Setup", "unit_price": ["amount": "0.05", "currency": "EUR"], "discount": 50],
            ] {
                #expect(try await api.post("/v1/records/deal_line", ["fields": line]).status == .created)
            }
            // Not won yet: refused, nothing written.
            let early = try await api.post("/v1/deals/\(dealID)/invoice", .object([:]))
            expectProblem(early, .conflict)
            #expect(early.json["detail"]?.stringValue?.contains("only a won deal") == true, "\(early.text)")
            expectProblem(try await api.post("/v1/deals/\(dealID)/invoice", ["payment_days": 400]), .unprocessableContent, field: "payment_days")
            expectProblem(try await api.post("/v1/deals/\(dealID)/invoice", ["issued_on": "2026-13-01"]), .unprocessableContent, field: "issued_on")

            // Won: finance hears of it, and invoices it.
            #expect(try await api.patch("/v1/records/deal/\(dealID)", ["stage": "won"]).status == .ok)
            let handoffs = try await api.get("/v1/handoffs?customer_id=\(customer)").items
            #expect(handoffs.map { $0["kind"]?.stringValue } == ["won_deal"])
            let before = try await api.get("/v1/aggregates?source=records.invoice&measures=sum:fields.total.amount&bucket=month&time=fields.issued_on")
            #expect(before.json["data"]?.arrayValue?.isEmpty == true, "\(before.text)")

            let made = try await api.post("/v1/deals/\(dealID)/invoice", ["issued_on": "2026-12-30"], headers: [.idempotencyKey: "inv-1"])
            #expect(made.status == .created, "\(made.text)")
            let invoice = try #require(made.json["invoice"])
            let invoiceID = try #require(invoice["id"]?.stringValue)
            #expect(made.headers[.location] == "/v1/records/invoice/\(invoiceID)")
            #expect(invoice["customer_id"]?.stringValue == customer)
            #expect(invoice["stage"] == "draft")
            #expect(invoice["fields"]?["number"] == "INV-2026-00001")
            #expect(invoice["fields"]?["due_on"] == "2027-01-29")
            #expect(invoice["fields"]?["total"] == ["amount": "269.53", "currency": "EUR"])
            let lines = try await api.get("/v1/records/invoice_line?filter=\(encodeQuery("fields.invoice == \"\(invoiceID)\""))&sort=created_at").items
            #expect(lines.compactMap { $0["fields"]?["description"]?.stringValue } == ["Seat (less 10%)", "Support", "Setup (less 50%)"])
            #expect(lines.allSatisfy { $0["customer_id"]?.stringValue == customer })
            // The same request again answers the same; a new one is refused, naming the invoice.
            let replay = try await api.post("/v1/deals/\(dealID)/invoice", ["issued_on": "2026-12-30"], headers: [.idempotencyKey: "inv-1"])
            #expect(replay.json["invoice"]?["id"]?.stringValue == invoiceID)
            let twice = try await api.post("/v1/deals/\(dealID)/invoice", .object([:]))
            expectProblem(twice, .conflict)
            #expect(twice.json["invoice_id"]?.stringValue == invoiceID, "\(twice.text)")

            // Finance's actuals for December against sales' won deals for the month.
            let actual = try await api.get("/v1/aggregates?source=records.invoice&measures=sum:fields.total.amount&bucket=month&time=fields.issued_on")
            #expect(actual.json["data"]?[0]?["group"]?["bucket"] == "2026-12-01", "\(actual.text)")
            #expect(actual.json["data"]?[0]?["values"]?["sum:fields.total.amount"]?.doubleValue == 269.53)
            let forecast = try await api.get("/v1/aggregates?source=records.deal&measures=sum:fields.amount.amount&bucket=month&time=fields.close_date&filter=\(encodeQuery("stage == \"won\""))")
            #expect(forecast.json["data"]?[0]?["values"]?["sum:fields.amount.amount"]?.doubleValue == 269.53, "\(forecast.text)")

            // A void invoice frees the deal for a new one, numbered next in the series.
            #expect(try await api.patch("/v1/records/invoice/\(invoiceID)", ["stage": "void"]).status == .ok)
            let again = try await api.post("/v1/deals/\(dealID)/invoice", ["number": "INV-2026-00009", "issued_on": "2027-01-04"])
            #expect(again.status == .created, "\(again.text)")
            let third = try await api.patch("/v1/records/invoice/\(try #require(again.json["invoice"]?["id"]?.stringValue))", ["stage": "void"])
            #expect(third.status == .ok)
            let next = try await api.post("/v1/deals/\(dealID)/invoice", ["issued_on": "2026-12-31"])
            #expect(next.json["invoice"]?["fields"]?["number"] == "INV-2026-00010", "\(next.text)")

            // An agent may invoice (records:write); a viewer may not.
            let viewer = try await api.createKey(role: "viewer")
            expectProblem(try await api.post("/v1/deals/\(dealID)/invoice", .object([:]), auth: .bearer(viewer.secret)), .forbidden)
        }
    }
}
