import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// `/v1/aggregates`: counts and sums grouped by paths and time buckets, computed by the database,
/// the same on SQLite and PostgreSQL.
@Suite("HTTP: aggregates")
struct AggregatesTests {
    @Test("a pipeline by stage, amounts by month and week of their close date, and customers by stage and day",
          arguments: Backend.available)
    func aggregates(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let defined = try await api.post("/v1/record-types", [
                "key": "deal", "label": "Deal",
                "fields": [
                    ["key": "title", "label": "Title", "kind": "text", "required": true],
                    ["key": "amount", "label": "Amount", "kind": "money"],
                    ["key": "closes", "label": "Closes", "kind": "date"],
                    ["key": "hot", "label": "Hot", "kind": "boolean"],
                ],
                "stages": [["key": "lead", "label": "Lead"], ["key": "won", "label": "Won", "outcome": "won"]],
            ])
            #expect(defined.status == .created, "\(defined.text)")
            let deals: [(String, String, String, Bool)] = [("lead", "100.00", "2027-01-05", true), ("lead", "250.50", "2027-01-31", false),
                                                           ("won", "1000", "2027-02-01", true), ("won", "40", "2027-03-10", true)]
            for (index, deal) in deals.enumerated() {
                let made = try await api.post("/v1/records/deal", ["stage": .string(deal.0), "fields": [
                    "title": .string("Deal \(index)"), "amount": ["amount": .string(deal.1), "currency": "EUR"], "closes": .string(deal.2),
                    "hot": .bool(deal.3)]])
                #expect(made.status == .created, "\(made.text)")
            }
            _ = try await api.post("/v1/records/deal", ["fields": ["title": "No amount"]])

            let byStage = try await api.get("/v1/aggregates?source=records.deal&measures=count,sum:fields.amount.amount&group_by=stage")
            #expect(byStage.status == .ok, "\(byStage.text)")
            let stageRows = byStage.json["data"]?.arrayValue ?? []
            #expect(stageRows.count == 2)
            #expect(stageRows.first?["group"]?["stage"]?.stringValue == "lead")
            #expect(stageRows.first?["values"]?["count"] == .integer(3))
            #expect(stageRows.first?["values"]?["sum:fields.amount.amount"]?.doubleValue == 350.5)
            #expect(stageRows.last?["values"]?["sum:fields.amount.amount"]?.doubleValue == 1040)

            let byMonth = try await api.get("/v1/aggregates?source=records.deal&measures=count,avg:fields.amount.amount&bucket=month&time=fields.closes&filter=\(encodeQuery("has(fields.closes)"))")
            let months = byMonth.json["data"]?.arrayValue ?? []
            #expect(months.compactMap { $0["group"]?["bucket"]?.stringValue } == ["2027-01-01", "2027-02-01", "2027-03-01"], "\(byMonth.text)")
            #expect(months.first?["values"]?["avg:fields.amount.amount"]?.doubleValue == 175.25)
            let byWeek = try await api.get("/v1/aggregates?source=records.deal&bucket=week&time=fields.closes&filter=\(encodeQuery("fields.hot"))")
            // 2027-01-05 is a Tuesday (week of Monday 4 January); 2027-02-01 a Monday; 2027-03-10 a Wednesday.
            #expect((byWeek.json["data"]?.arrayValue ?? []).compactMap { $0["group"]?["bucket"]?.stringValue } == ["2027-01-04", "2027-02-01", "2027-03-08"],
                    "\(byWeek.text)")
            let byHot = try await api.get("/v1/aggregates?source=records.deal&group_by=fields.hot,stage")
            let hotRows = (byHot.json["data"]?.arrayValue ?? []).map { ($0["group"]?["fields.hot"] ?? .null, $0["group"]?["stage"]?.stringValue ?? "?", $0["values"]?["count"]?.intValue ?? 0) }
            #expect(hotRows.map(\.2).reduce(0, +) == 5, "\(byHot.text)")
            #expect(hotRows.contains { $0.0 == .bool(true) && $0.1 == "won" && $0.2 == 2 }, "\(byHot.text)")

            _ = try await api.createCustomer(["name": "Ana", "lifecycle_stage": "lead"])
            _ = try await api.createCustomer(["name": "Bo", "lifecycle_stage": "lead"])
            _ = try await api.createCustomer(["name": "Cy", "lifecycle_stage": "customer"])
            let customers = try await api.get("/v1/aggregates?source=customers&group_by=lifecycle_stage&bucket=day")
            let customerRows = customers.json["data"]?.arrayValue ?? []
            #expect(customerRows.compactMap { $0["group"]?["lifecycle_stage"]?.stringValue } == ["customer", "lead"], "\(customers.text)")
            #expect(customerRows.last?["values"]?["count"] == .integer(2))
            #expect(customerRows.first?["group"]?["bucket"]?.stringValue?.count == 10)

            expectProblem(try await api.get("/v1/aggregates?source=records.deal&measures=sum:fields.title"), .badRequest, field: "measures")
            expectProblem(try await api.get("/v1/aggregates?source=records.deal&group_by=created_at"), .badRequest, field: "group_by")
            expectProblem(try await api.get("/v1/aggregates?source=records.deal&bucket=fortnight"), .badRequest, field: "bucket")
            expectProblem(try await api.get("/v1/aggregates?source=records.deal&filter=\(encodeQuery("fields.closes > \"soon\""))"), .badRequest, field: "filter")
            expectProblem(try await api.get("/v1/aggregates?source=planets"), .badRequest, field: "source")
            expectProblem(try await api.get("/v1/aggregates?source=records.nothing"), .notFound)
        }
    }
}
