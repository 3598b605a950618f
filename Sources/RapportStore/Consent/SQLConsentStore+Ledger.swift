import RapportCore
import SQLKit

extension SQLConsentStore {
    public func ledger(of customerID: String, in tx: WriteTransaction) async throws -> ConsentLedger {
        try await Self.ledger(of: customerID, on: tx.database, flavor: flavor)
    }

    public func ledger(of customerID: String) async throws -> ConsentLedger {
        let flavor = self.flavor
        return try await store.read { database in try await Self.ledger(of: customerID, on: database, flavor: flavor) }
    }

    static func ledger(of customerID: String, on database: any SQLDatabase, flavor: SQLFlavor) async throws -> ConsentLedger {
        let rows = try await database.raw("""
            SELECT id, \(RecordRows.fieldsColumn(flavor)) FROM records
            WHERE customer_id = \(bind: customerID) AND type_key = \(bind: ConsentLedger.recordType) AND deleted_at IS NULL
            """).all()
        return ConsentLedger(try rows.compactMap { row in
            ConsentLedger.Entry(recordID: try row.string("id"), fields: try row.jsonObject("fields"))
        })
    }
}
