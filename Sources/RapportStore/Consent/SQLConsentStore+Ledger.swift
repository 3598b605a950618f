import RapportCore
import SQLKit

extension SQLConsentStore {
    public func ledger(of customerID: String, in tx: WriteTransaction) async throws -> ConsentLedger {
        let rows = try await tx.rows("""
            SELECT id, \(RecordRows.fieldsColumn(flavor)) FROM records
            WHERE customer_id = \(bind: customerID) AND type_key = \(bind: Self.recordType) AND deleted_at IS NULL
            """)
        return ConsentLedger(try rows.compactMap { row in
            ConsentLedger.Entry(recordID: try row.string("id"), fields: try row.jsonObject("fields"))
        })
    }

    /// The record type consent is kept in (the marketing template's).
    static let recordType = "consent"
}
