import RapportCore
@testable import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Records of run-time types in the store: unique values held and freed, references that must
/// exist, CEL filters and sorts the database runs (the same answers on SQLite and PostgreSQL), and
/// customer references that follow a merge and its undo.
@Suite("Record store")
struct RecordStoreTests {
    let context = FieldValueContext(normalizer: try! IdentityNormalizer(defaultRegion: "DE"))

    func dealType(_ store: Store) async throws -> RecordType {
        let draft = try RecordTypeDraft.read([
            "key": "deal", "label": "Deal", "plural_label": "Deals",
            "fields": [
                ["key": "title", "label": "Title", "kind": "text", "required": true],
                ["key": "amount", "label": "Amount", "kind": "money"],
                ["key": "status", "label": "Status", "kind": "choice", "default": "open",
                 "choices": [["key": "open", "label": "Open"], ["key": "won", "label": "Won"], ["key": "lost", "label": "Lost"]]],
                ["key": "code", "label": "Code", "kind": "text", "unique": true],
                ["key": "tags", "label": "Tags", "kind": "multi_choice", "choices": [["key": "vip", "label": "VIP"], ["key": "new", "label": "New"]]],
                ["key": "hot", "label": "Hot", "kind": "boolean"],
                ["key": "seats", "label": "Seats", "kind": "number", "validation": "value > 0"],
                ["key": "buyer", "label": "Buyer", "kind": "reference", "target": "customer"],
                ["key": "closes", "label": "Closes", "kind": "date"],
            ],
        ], context: context)
        _ = try await store.write { tx in try await store.recordTypes.createRecordType(draft, actor: .system, in: tx) }
        // As stored and read back, as every request sees it.
        return try #require(try await store.recordTypes.recordType("deal"))
    }

    func create(_ store: Store, _ type: RecordType, customer: String? = nil, _ fields: JSONValue) async throws -> BusinessRecord {
        let draft = try RecordDraft.read(["customer_id": customer.map(JSONValue.string) ?? .null, "fields": fields], type: type, context: context)
        return try await store.write { tx in try await store.records.createRecord(of: type, draft, actor: .system, in: tx) }
    }

    func titles(_ store: Store, _ type: RecordType, _ filter: String?, sort: String = "-created_at", limit: Int = 50) async throws -> [String] {
        var query = RecordQuery(type: type, condition: try filter.map { try ListFilter.translate($0, schema: type.filterSchema) },
                                sort: type.sort(sort)!)
        query.customerID = nil
        var titles: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.records.records(query, limit: limit, cursor: cursor)
            titles += page.items.map { $0.fields["title"]?.stringValue ?? "?" }
            cursor = page.nextCursor
        } while cursor != nil
        return titles
    }

    @Test("filters and sorts run in the database, page by page, with the same answers on every backend", arguments: Backend.available)
    func filtersAndSorts(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let type = try await dealType(store)
            let rows: [(String, String?, String, [String], Bool?, Int?, String?)] = [
                ("Alpha", "1200.00", "won", ["vip"], true, 3, "2027-01-10"),
                ("Bravo", "80.50", "open", [], false, 1, nil),
                ("Charlie", nil, "open", ["vip", "new"], nil, 12, "2026-12-24"),
                ("Delta", "1200.00", "lost", ["new"], true, nil, "2027-03-01"),
                ("Echo 100%", "9.99", "won", [], false, 2, nil),
            ]
            for row in rows {
                var fields: JSONObject = ["title": .string(row.0), "status": .string(row.2), "tags": .array(row.3.map(JSONValue.string))]
                if let amount = row.1 { fields["amount"] = ["amount": .string(amount), "currency": "EUR"] }
                if let hot = row.4 { fields["hot"] = .bool(hot) }
                if let seats = row.5 { fields["seats"] = .integer(Int64(seats)) }
                if let closes = row.6 { fields["closes"] = .string(closes) }
                _ = try await create(store, type, .object(fields))
            }
            #expect(try await titles(store, type, #"fields.status == "won""#, sort: "title") == ["Alpha", "Echo 100%"])
            #expect(try await titles(store, type, "fields.amount.amount > 100", sort: "title") == ["Alpha", "Delta"])
            #expect(try await titles(store, type, "fields.amount.amount <= 80.5", sort: "title") == ["Bravo", "Echo 100%"])
            #expect(try await titles(store, type, #""vip" in fields.tags"#, sort: "title") == ["Alpha", "Charlie"])
            #expect(try await titles(store, type, "fields.hot", sort: "title") == ["Alpha", "Delta"])
            // A record without the field matches neither it nor its negation (as CEL errs on a missing key).
            #expect(try await titles(store, type, "!fields.hot", sort: "title") == ["Bravo", "Echo 100%"])
            #expect(try await titles(store, type, "fields.hot == false", sort: "title") == ["Bravo", "Echo 100%"])
            #expect(try await titles(store, type, "has(fields.amount) && fields.amount.currency == \"EUR\" && fields.seats >= 2", sort: "title")
                    == ["Alpha", "Echo 100%"])
            #expect(try await titles(store, type, "fields.seats == null", sort: "title") == ["Delta"])
            #expect(try await titles(store, type, #"fields.status in ["lost", "open"] && fields.closes < "2027-02-01""#, sort: "title") == ["Charlie"])
            #expect(try await titles(store, type, #"fields.title.startsWith("Ch") || fields.title.endsWith("%") || fields.title.contains("elt")"#,
                                     sort: "title") == ["Charlie", "Delta", "Echo 100%"])
            // % and _ are text, not patterns.
            #expect(try await titles(store, type, #"fields.title.contains("_") || fields.title.endsWith("o%")"#) == [])
            // Sorts: records without a value come last in both directions; ties by id; pages of 2.
            #expect(try await titles(store, type, nil, sort: "amount", limit: 2) == ["Echo 100%", "Bravo", "Alpha", "Delta", "Charlie"])
            #expect(try await titles(store, type, nil, sort: "-amount", limit: 2) == ["Delta", "Alpha", "Bravo", "Echo 100%", "Charlie"])
            #expect(try await titles(store, type, nil, sort: "-seats", limit: 1) == ["Charlie", "Alpha", "Echo 100%", "Bravo", "Delta"])
            #expect(try await titles(store, type, nil, sort: "hot", limit: 2) == ["Bravo", "Echo 100%", "Alpha", "Delta", "Charlie"])
            #expect(try await titles(store, type, nil, sort: "created_at", limit: 2) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo 100%"])
            #expect(try await titles(store, type, "fields.title > \"B\"", sort: "-title", limit: 2) == ["Echo 100%", "Delta", "Charlie", "Bravo"])
        }
    }

    @Test("unique values are held, freed by a change or a delete, and references must exist", arguments: Backend.available)
    func uniqueAndReferences(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let type = try await dealType(store)
            let first = try await create(store, type, ["title": "One", "code": "D-1"])
            #expect(first.fields["status"] == "open")
            await #expect { try await create(store, type, ["title": "Two", "code": "D-1"]) } throws: { error in
                (error as? StoreError)?.code == .conflict && (error as? StoreError)?.field == "fields.code"
            }
            await #expect { try await create(store, type, ["title": "Two", "buyer": "cus_nobody"]) } throws: { error in
                (error as? StoreError)?.code == .invalidReference && (error as? StoreError)?.field == "fields.buyer"
            }
            await #expect(throws: ValidationFailure.self) { try await create(store, type, ["title": "Two", "seats": 0]) }
            // A required field without a default must be given.
            await #expect(throws: ValidationFailure.self) { try await create(store, type, ["code": "D-9"]) }
            // A change frees the old value; the new one is held.
            let changed = try await store.write { tx in
                try await store.records.changeRecord(first.id, of: type, RecordChanges(fields: ["code": "D-2"]), expectedVersion: 1,
                                                     context: context, actor: .system, in: tx)
            }
            #expect(changed.version == 2)
            let second = try await create(store, type, ["title": "Two", "code": "D-1"])
            await #expect { try await create(store, type, ["title": "Three", "code": "D-2"]) } throws: { ($0 as? StoreError)?.code == .conflict }
            // A stale version is refused; a delete frees the value and hides the record.
            await #expect { try await store.write { tx in
                try await store.records.changeRecord(first.id, of: type, RecordChanges(fields: ["title": "Late"]), expectedVersion: 1,
                                                     context: context, actor: .system, in: tx)
            } } throws: { ($0 as? StoreError)?.code == .preconditionFailed }
            try await store.write { tx in try await store.records.deleteRecord(second.id, of: type, expectedVersion: nil, actor: .system, in: tx) }
            #expect(try await store.records.record(second.id, of: type) == nil)
            _ = try await create(store, type, ["title": "Three", "code": "D-1"])
            let events = try await store.events.events(after: 0, limit: 100).map(\.type).filter { $0.hasPrefix("rapport.record.") }
            #expect(events == ["rapport.record.created", "rapport.record.updated", "rapport.record.created", "rapport.record.deleted",
                               "rapport.record.created"])
        }
    }

    @Test("a merge moves the records of the absorbed customer and its references read as the survivor; undo brings them back",
          arguments: Backend.available)
    func followsMerges(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let type = try await dealType(store)
            let (ana, anna) = try await store.write { tx in
                (try await store.customers.createCustomer(NewCustomer(name: "Ana"), actor: .system, in: tx).id,
                 try await store.customers.createCustomer(NewCustomer(name: "Anna"), actor: .system, in: tx).id)
            }
            let record = try await create(store, type, customer: anna, ["title": "Renewal", "buyer": .string(anna)])
            let outcome = try await store.write { tx in
                try await store.merges.mergeCustomers(into: ana, absorbing: [anna], overrides: nil, actor: .system, in: tx)
            }
            let merged = try #require(try await store.records.record(record.id, of: type))
            #expect(merged.customerID == ana)
            #expect(merged.fields["buyer"] == .string(ana))
            let listed = try await store.records.records(RecordQuery(type: type, customerID: ana), limit: 10, cursor: nil)
            #expect(listed.items.map(\.id) == [record.id])
            // A new record may name the absorbed customer: it is stored for the survivor.
            let later = try await create(store, type, customer: anna, ["title": "Upsell"])
            #expect(later.customerID == ana)
            _ = try await store.write { tx in try await store.merges.undoMerge(outcome.record.id, actor: .system, in: tx) }
            let undone = try #require(try await store.records.record(record.id, of: type))
            #expect(undone.customerID == anna)
            #expect(undone.fields["buyer"] == .string(anna))
        }
    }
}
