import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// Business records over HTTP: record types defined and changed online, records with the API's
/// conventions (ETag, If-Match, Idempotency-Key, cursor pages, CEL filters, sort), permissions,
/// and events on the log.
@Suite("HTTP: records")
struct RecordsTests {
    static let deal: JSONValue = [
        "key": "deal", "label": "Deal", "plural_label": "Deals",
        "fields": [
            ["key": "title", "label": "Title", "kind": "text", "required": true],
            ["key": "amount", "label": "Amount", "kind": "money"],
            ["key": "status", "label": "Status", "kind": "choice", "default": "open",
             "choices": [["key": "open", "label": "Open"], ["key": "won", "label": "Won"]]],
            ["key": "code", "label": "Code", "kind": "text", "unique": true],
            ["key": "seats", "label": "Seats", "kind": "text"],
        ],
    ]

    @Test("a type is defined, records are made, listed, filtered, changed and deleted with the API's conventions",
          arguments: Backend.available)
    func records(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let agent = try await api.createKey(role: "agent")
            let viewer = try await api.createKey(role: "viewer")
            expectProblem(try await api.post("/v1/record-types", Self.deal, auth: .bearer(agent.secret)), .forbidden)
            let defined = try await api.post("/v1/record-types", Self.deal)
            #expect(defined.status == .created, "\(defined.text)")
            #expect(defined.headers[.eTag] == "\"rt_deal-v1\"")
            #expect(defined.headers[.location] == "/v1/record-types/deal")
            expectProblem(try await api.post("/v1/record-types", Self.deal), .conflict)
            expectProblem(try await api.post("/v1/record-types", ["key": "Bad Key", "label": "x", "fields": [["key": "id", "label": "Id", "kind": "text"]]]),
                          .unprocessableContent, field: "key")
            expectProblem(try await api.post("/v1/record-types", ["key": "x", "label": "x", "fields": [["key": "n", "label": "N", "kind": "number", "validation": "value >"]]]),
                          .unprocessableContent, field: "fields[0].validation")
            #expect(try await api.get("/v1/record-types", auth: .bearer(viewer.secret)).items.count == 1)

            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let body: JSONValue = ["customer_id": .string(customer), "fields": ["title": "Renewal", "amount": ["amount": 1250, "currency": "EUR"], "code": "R-1"]]
            let made = try await api.post("/v1/records/deal", body, auth: .bearer(agent.secret), headers: [.idempotencyKey: "deal-1"])
            #expect(made.status == .created, "\(made.text)")
            let id = try #require(made.json["id"]?.stringValue)
            #expect(made.headers[.eTag] == etag(id, version: 1))
            #expect(made.json["fields"]?["amount"]?["amount"]?.stringValue == "1250.00")
            #expect(made.json["fields"]?["status"]?.stringValue == "open")
            let again = try await api.post("/v1/records/deal", body, auth: .bearer(agent.secret), headers: [.idempotencyKey: "deal-1"])
            #expect(again.json["id"]?.stringValue == id)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            // On the customer's timeline, beside its interactions.
            let mail = try await api.createChannel(kind: "email", name: "Mail")
            let said = try await api.post("/v1/interactions", ["channel_id": .string(mail), "customer_id": .string(customer),
                                                               "direction": "inbound", "kind": "email", "body": "About the renewal"])
            #expect(said.status == .created, "\(said.text)")
            let activity = try await api.get("/v1/customers/\(customer)/activity?order=asc", auth: .bearer(viewer.secret)).items
            #expect(activity.compactMap { $0["type"]?.stringValue } == ["record", "interaction"], "\(activity)")
            #expect(activity.first?["record"]?["id"]?.stringValue == id)
            expectProblem(try await api.post("/v1/records/deal", ["fields": ["title": "Other", "code": "R-1"]]), .conflict, field: "fields.code")
            expectProblem(try await api.post("/v1/records/deal", ["fields": ["code": "R-2", "status": "maybe", "nope": 1]]),
                          .unprocessableContent, field: "fields.title")
            let bad = try await api.post("/v1/records/deal", ["fields": ["code": "R-2", "status": "maybe", "nope": 1]])
            #expect(Set(bad.errorFields) == ["fields.title", "fields.status", "fields.nope"])
            expectProblem(try await api.post("/v1/records/deal", ["fields": ["title": "x"]], auth: .bearer(viewer.secret)), .forbidden)
            expectProblem(try await api.post("/v1/records/nothing", ["fields": [:]]), .notFound)
            expectProblem(try await api.post("/v1/records/deal", ["customer_id": "cus_missing", "fields": ["title": "x"]]), .notFound)

            for (title, amount) in [("Small", "10"), ("Big", "9000"), ("Mid", "400")] {
                let reply = try await api.post("/v1/records/deal", ["fields": ["title": .string(title), "amount": ["amount": .string(amount), "currency": "EUR"]]])
                #expect(reply.status == .created, "\(reply.text)")
            }
            let query = encodeQuery("fields.amount.amount >= 400 && fields.status == \"open\"")
            let first = try await api.get("/v1/records/deal?filter=\(query)&sort=-amount&limit=2", auth: .bearer(viewer.secret))
            #expect(first.items.compactMap { $0["fields"]?["title"]?.stringValue } == ["Big", "Renewal"], "\(first.text)")
            let cursor = try #require(first.json["next_cursor"]?.stringValue)
            let second = try await api.get("/v1/records/deal?filter=\(query)&sort=-amount&limit=2&cursor=\(cursor)")
            #expect(second.items.compactMap { $0["fields"]?["title"]?.stringValue } == ["Mid"])
            #expect(second.json["next_cursor"] == .null)
            #expect(try await api.get("/v1/records/deal?customer_id=\(customer)").items.count == 1)
            expectProblem(try await api.get("/v1/records/deal?filter=\(encodeQuery("fields.amount > 3"))"), .badRequest, field: "filter")
            expectProblem(try await api.get("/v1/records/deal?filter=\(encodeQuery("size(fields.title) > 3"))"), .badRequest, field: "filter")
            expectProblem(try await api.get("/v1/records/deal?sort=nope"), .badRequest, field: "sort")
            expectProblem(try await api.get("/v1/records/deal?cursor=bm9wZQ"), .unprocessableContent, field: "cursor")

            let changed = try await api.patch("/v1/records/deal/\(id)", ["fields": ["status": "won", "code": nil]],
                                              auth: .bearer(agent.secret), headers: [.ifMatch: etag(id, version: 1)])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["fields"]?["status"]?.stringValue == "won")
            #expect(changed.json["fields"]?.objectValue?.keys.contains("code") == false)
            expectProblem(try await api.patch("/v1/records/deal/\(id)", ["fields": ["title": "Late"]], headers: [.ifMatch: etag(id, version: 1)]),
                          .preconditionFailed)
            expectProblem(try await api.patch("/v1/records/deal/\(id)", ["fields": ["title": nil]]), .unprocessableContent, field: "fields.title")
            #expect(try await api.get("/v1/records/deal/\(id)").headers[.eTag] == etag(id, version: 2))
            // The code it let go is free again.
            #expect(try await api.post("/v1/records/deal", ["fields": ["title": "Next", "code": "R-1"]]).status == .created)

            let events = try await api.events().compactMap { $0["type"]?.stringValue }.filter { $0.hasPrefix("rapport.record") }
            #expect(events == ["rapport.record_type.created", "rapport.record.created", "rapport.record.created", "rapport.record.created",
                               "rapport.record.created", "rapport.record.updated", "rapport.record.created"])

            #expect(try await api.delete("/v1/records/deal/\(id)", auth: .bearer(agent.secret)).status == .noContent)
            expectProblem(try await api.get("/v1/records/deal/\(id)"), .notFound)
        }
    }

    @Test("a type change converts what is stored, or is refused naming the records in the way", arguments: Backend.available)
    func typeChanges(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/record-types", Self.deal).status == .created)
            let two = try await api.post("/v1/records/deal", ["fields": ["title": "Two seats", "seats": "2"]])
            let some = try await api.post("/v1/records/deal", ["fields": ["title": "Some seats", "seats": "some"]])
            let someID = try #require(some.json["id"]?.stringValue)
            var fields = try #require(Self.deal["fields"]?.arrayValue)
            fields[4] = ["key": "seats", "label": "Seats", "kind": "number"]
            let refused = try await api.request(.put, "/v1/record-types/deal", json: ["label": "Deal", "fields": .array(fields)],
                                                headers: [.ifMatch: "\"rt_deal-v1\""])
            expectProblem(refused, .unprocessableContent, field: "fields.seats")
            #expect(refused.json["blocking_records"] == .array([.string(someID)]), "\(refused.text)")
            _ = try await api.patch("/v1/records/deal/\(someID)", ["fields": ["seats": "3"]])
            expectProblem(try await api.request(.put, "/v1/record-types/deal", json: ["key": "other", "label": "Deal", "fields": .array(fields)]),
                          .unprocessableContent, field: "key")
            let changed = try await api.request(.put, "/v1/record-types/deal", json: ["label": "Opportunity", "fields": .array(fields)],
                                                headers: [.ifMatch: "\"rt_deal-v1\""])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.headers[.eTag] == "\"rt_deal-v2\"")
            let twoID = try #require(two.json["id"]?.stringValue)
            #expect(try await api.get("/v1/records/deal/\(twoID)").json["fields"]?["seats"] == .integer(2))
            expectProblem(try await api.request(.put, "/v1/record-types/deal", json: ["label": "Deal", "fields": .array(fields)],
                                                headers: [.ifMatch: "\"rt_deal-v1\""]), .preconditionFailed)
            expectProblem(try await api.request(.put, "/v1/record-types/nothing", json: ["label": "x"]), .notFound)
        }
    }

    @Test("a record moves through its type's pipeline: stages ask for their fields, every stay is kept, and a change of pipeline follows the records",
          arguments: Backend.available)
    func pipelines(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            var definition = try #require(Self.deal.objectValue)
            definition["stages"] = [
                ["key": "qualified", "label": "Qualified", "probability": 20],
                ["key": "proposal", "label": "Proposal", "probability": 60, "required_fields": ["amount"]],
                ["key": "won", "label": "Won", "outcome": "won"],
                ["key": "lost", "label": "Lost", "outcome": "lost"],
            ]
            let defined = try await api.post("/v1/record-types", .object(definition))
            #expect(defined.status == .created, "\(defined.text)")
            #expect(defined.json["stages"]?[2]?["probability"] == .integer(100))
            let made = try await api.post("/v1/records/deal", ["fields": ["title": "Fleet"]])
            let id = try #require(made.json["id"]?.stringValue)
            #expect(made.json["stage"]?.stringValue == "qualified")
            expectProblem(try await api.post("/v1/records/deal", ["stage": "proposal", "fields": ["title": "No amount"]]),
                          .unprocessableContent, field: "fields.amount")
            expectProblem(try await api.post("/v1/records/deal", ["stage": "dreaming", "fields": ["title": "x"]]), .unprocessableContent, field: "stage")
            expectProblem(try await api.patch("/v1/records/deal/\(id)", ["stage": "proposal"]), .unprocessableContent, field: "fields.amount")
            let moved = try await api.patch("/v1/records/deal/\(id)", ["stage": "proposal", "fields": ["amount": ["amount": "800", "currency": "EUR"]]])
            #expect(moved.json["stage"]?.stringValue == "proposal", "\(moved.text)")
            // In the stage, its required field cannot be cleared.
            expectProblem(try await api.patch("/v1/records/deal/\(id)", ["fields": ["amount": nil]]), .unprocessableContent, field: "fields.amount")
            #expect(try await api.get("/v1/records/deal?filter=\(encodeQuery(#"stage == "proposal""#))").items.count == 1)
            let history = try await api.get("/v1/records/deal/\(id)/stages").items
            #expect(history.compactMap { $0["stage"]?.stringValue } == ["qualified", "proposal"], "\(history)")
            #expect(history[0]["left_at"]?.stringValue != nil)
            #expect(history[1]["left_at"] == .null)
            let updated = try await api.events().last { $0["type"]?.stringValue == "rapport.record.updated" }
            #expect(updated?["data"]?["changed_fields"]?[0]?.stringValue == "stage")

            // Taking away a stage a record stands in is refused, naming it.
            definition["stages"] = [["key": "qualified", "label": "Qualified"], ["key": "won", "label": "Won", "outcome": "won"]]
            let refused = try await api.request(.put, "/v1/record-types/deal", json: .object(definition))
            expectProblem(refused, .unprocessableContent, field: "stages")
            #expect(refused.json["blocking_records"] == .array([.string(id)]))

            // A type that gains a pipeline puts its records in the first stage.
            var plain = try #require(Self.deal.objectValue)
            plain["key"] = "order"
            #expect(try await api.post("/v1/record-types", .object(plain)).status == .created)
            let order = try #require(try await api.post("/v1/records/order", ["fields": ["title": "Desk"]]).json["id"]?.stringValue)
            expectProblem(try await api.post("/v1/records/order", ["stage": "placed", "fields": ["title": "x"]]), .unprocessableContent, field: "stage")
            plain["stages"] = [["key": "placed", "label": "Placed"], ["key": "shipped", "label": "Shipped", "outcome": "won"]]
            let piped = try await api.request(.put, "/v1/record-types/order", json: .object(plain))
            #expect(piped.status == .ok, "\(piped.text)")
            #expect(try await api.get("/v1/records/order/\(order)").json["stage"]?.stringValue == "placed")
            #expect(try await api.get("/v1/records/order/\(order)/stages").items.count == 1)
        }
    }

    @Test("templates install their types once, with those they require, and their rules hold", arguments: Backend.available)
    func templates(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let listed = try await api.get("/v1/templates").items.compactMap { $0["name"]?.stringValue }
            #expect(listed == ["sales", "finance", "marketing", "service", "ecommerce", "banking", "travel"])
            let finance = try await api.post("/v1/templates/finance/install", .object([:]))
            #expect(finance.status == .ok, "\(finance.text)")
            #expect(finance.json["installed"] == ["deal", "deal_line", "quote", "order", "invoice", "invoice_line", "payment"])
            let again = try await api.post("/v1/templates/sales/install", .object([:]))
            #expect(again.json["installed"] == [])
            #expect(again.json["kept"] == ["deal", "deal_line", "quote"])
            expectProblem(try await api.post("/v1/templates/astrology/install", .object([:])), .notFound)
            let agent = try await api.createKey(role: "agent")
            expectProblem(try await api.post("/v1/templates/service/install", .object([:]), auth: .bearer(agent.secret)), .forbidden)

            let deal = try await api.post("/v1/records/deal", ["fields": ["title": "Fleet renewal"]])
            #expect(deal.json["stage"]?.stringValue == "qualification", "\(deal.text)")
            let dealID = try #require(deal.json["id"]?.stringValue)
            let line = try await api.post("/v1/records/deal_line", ["fields": ["deal": .string(dealID), "product": "Seat", "unit_price": ["amount": "49", "currency": "EUR"]]])
            #expect(line.json["fields"]?["quantity"] == .integer(1), "\(line.text)")
            expectProblem(try await api.post("/v1/records/deal_line", ["fields": ["deal": "rec_nothing", "product": "Seat", "unit_price": ["amount": "49", "currency": "EUR"]]]),
                          .unprocessableContent, field: "fields.deal")
            expectProblem(try await api.patch("/v1/records/deal/\(dealID)", ["stage": "lost"]), .unprocessableContent, field: "fields.lost_reason")

            _ = try await api.post("/v1/templates/service/install", .object([:]))
            #expect(try await api.post("/v1/records/satisfaction", ["fields": ["kind": "csat", "score": 1]]).status == .created)
            expectProblem(try await api.post("/v1/records/satisfaction", ["fields": ["kind": "csat", "score": 9]]), .unprocessableContent, field: "fields.score")
            #expect(try await api.post("/v1/records/satisfaction", ["fields": ["kind": "nps", "score": 9]]).status == .created)
        }
    }

    @Test("a type's records export as CSV and JSON Lines, filtered, with formulas made inert", arguments: Backend.available)
    func export(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.post("/v1/record-types", Self.deal).status == .created)
            let rows: [JSONValue] = [
                ["fields": ["title": "=HYPERLINK(\"http://evil.example\")", "amount": ["amount": "10", "currency": "EUR"], "status": "won"]],
                ["fields": ["title": "Quotes \"and\", commas", "seats": "-3"]],
                ["fields": ["title": "@everyone", "status": "won"]],
            ]
            for row in rows { #expect(try await api.post("/v1/records/deal", row).status == .created) }
            let viewer = try await api.createKey(role: "viewer")
            let csv = try await api.get("/v1/records/deal/export?sort=created_at", auth: .bearer(viewer.secret))
            #expect(csv.status == .ok, "\(csv.text)")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"deal.csv\"")
            let lines = csv.text.components(separatedBy: "\r\n")
            #expect(lines.first == "id,customer_id,title,amount.amount,amount.currency,status,code,seats,created_at,updated_at,version")
            #expect(lines.count == 5 && lines.last == "", "\(csv.text)")
            #expect(lines[1].contains(",'=HYPERLINK(\"\"http://evil.example\"\"),10.00,EUR,won,") || lines[1].contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\",10.00,EUR,won,"), "\(lines[1])")
            #expect(lines[2].contains(",\"Quotes \"\"and\"\", commas\",,,open,,-3,"), "\(lines[2])")
            #expect(lines[3].contains(",'@everyone,,,won,"), "\(lines[3])")
            let jsonl = try await api.get("/v1/records/deal/export?format=jsonl&filter=\(encodeQuery(#"fields.status == "won""#))")
            #expect(jsonl.headers[.contentType] == "application/jsonl; charset=utf-8")
            let objects = jsonl.text.split(separator: "\n").map { try? JSONParser.parse(String($0)) }
            #expect(objects.count == 2)
            #expect(objects.allSatisfy { $0?["fields"]?["status"]?.stringValue == "won" })
            expectProblem(try await api.get("/v1/records/deal/export?format=xlsx"), .badRequest, field: "format")
            expectProblem(try await api.get("/v1/records/nothing/export"), .notFound)
        }
    }
}
