import RapportCore
@testable import RapportStore
import RapportTestSupport
import SQLKit
import Testing

/// Record types kept by the store: created once per key, and changed while records are stored —
/// converted in the same transaction, or refused naming the records that block the change.
@Suite("Record type store")
struct RecordTypeStoreTests {
    let context = FieldValueContext(normalizer: try! IdentityNormalizer(defaultRegion: "DE"))

    func draft(_ fields: [JSONValue]) throws -> RecordTypeDraft {
        try RecordTypeDraft.read(["key": "booking", "label": "Booking", "plural_label": "Bookings", "fields": .array(fields)], context: context)
    }

    @Test("a change converts stored values, fills new required ones, and is refused naming the records that cannot take it",
          arguments: Backend.available)
    func changesWithStoredRecords(backend: Backend) async throws {
        try await TestDatabases.withStore(backend) { store in
            let types = store.recordTypes
            let first = try draft([
                ["key": "nights", "label": "Nights", "kind": "text"],
                ["key": "check_in", "label": "Check-in", "kind": "date"],
                ["key": "code", "label": "Code", "kind": "text"],
            ])
            let created = try await store.write { tx in try await types.createRecordType(first, actor: .system, in: tx) }
            #expect(created.version == 1)
            await #expect(throws: StoreError.self) {
                try await store.write { tx in try await types.createRecordType(first, actor: .system, in: tx) }
            }
            // Records as the records area will store them (it comes next): fields as JSON.
            try await store.write { tx in
                for (index, fields) in [#"{"nights":"3","check_in":"2027-01-05","code":"A1"}"#, #"{"nights":"2","code":"B2"}"#,
                                        #"{"nights":"three","code":"A1"}"#].enumerated() {
                    try await tx.execute("""
                        INSERT INTO records (id, type_key, customer_id, fields, version, created_at, updated_at)
                        VALUES (\(bind: "rec_\(index)"), 'booking', NULL,
                            \(RecordRows.stored(try JSONParser.parse(fields).objectValue ?? [:], store.flavor)), 1, 0, 0)
                        """)
                }
            }
            func change(_ fields: [JSONValue], expected: Int64? = nil) async throws -> RecordType {
                let wanted = try draft(fields)
                return try await store.write { tx in
                    try await types.replaceRecordType(wanted, expectedVersion: expected, context: context, actor: .system, in: tx)
                }
            }
            // "three" is no number: refused, naming rec_2; nothing changed.
            do {
                _ = try await change([["key": "nights", "label": "Nights", "kind": "number"], ["key": "check_in", "label": "Check-in", "kind": "date"],
                                      ["key": "code", "label": "Code", "kind": "text"]])
                Issue.record("a change that stored values cannot take was accepted")
            } catch let error as StoreError {
                #expect(error.field == "fields.nights")
                #expect(error.extra["blocking_records"] == ["rec_2"])
            }
            #expect(try await types.recordType("booking")?.version == 1)
            // Unique over stored duplicates: refused naming both.
            do {
                _ = try await change([["key": "nights", "label": "Nights", "kind": "text"], ["key": "check_in", "label": "Check-in", "kind": "date"],
                                      ["key": "code", "label": "Code", "kind": "text", "unique": true]])
                Issue.record("unique over duplicates was accepted")
            } catch let error as StoreError {
                #expect(error.extra["blocking_records"] == ["rec_0", "rec_2"])
            }
            try await store.write { tx in try await tx.execute("UPDATE records SET fields = '{\"nights\":\"4\",\"code\":\"C3\"}' WHERE id = 'rec_2'") }
            // Now every value converts: nights becomes a number, check-in a datetime, a new required
            // field takes its default, code becomes unique, and a field left out is retired.
            let changed = try await change([
                ["key": "nights", "label": "Nights", "kind": "number"],
                ["key": "check_in", "label": "Check-in", "kind": "datetime"],
                ["key": "status", "label": "Status", "kind": "choice", "required": true, "default": "booked",
                 "choices": [["key": "booked", "label": "Booked"], ["key": "cancelled", "label": "Cancelled"]]],
            ], expected: 1)
            #expect(changed.version == 2)
            #expect(changed.field("code")?.retired == true)
            let stored = try await store.read { database in
                try await database.raw("SELECT id, \(RecordRows.fieldsColumn(store.flavor)) FROM records ORDER BY id").all().map { (try $0.string("id"), try $0.jsonObject("fields")) }
            }
            #expect(stored[0].1["nights"] == 3)
            #expect(stored[0].1["check_in"] == "2027-01-05T00:00:00.000Z")
            #expect(stored.allSatisfy { $0.1["status"] == "booked" })
            #expect(stored[0].1["code"] == "A1", "a retired field keeps its values")
            await #expect(throws: StoreError.self, "a stale version") {
                _ = try await change([["key": "nights", "label": "Nights", "kind": "number"]], expected: 1)
            }
            #expect(try await types.recordTypes().map(\.key) == ["booking"])
        }
    }
}
