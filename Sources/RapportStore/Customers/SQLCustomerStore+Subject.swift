import RapportCore
import SQLKit

extension SQLCustomerStore {
    /// What a note, a task or a handoff is about: the customer (the survivor, for one that was
    /// merged) and, when given, its conversation (whose customer it then is). 404 for a customer
    /// that does not exist or was deleted, or an unknown conversation; 422 when the two given do
    /// not belong together.
    func subject(customerID: String?, conversationID: String?, in tx: WriteTransaction) async throws -> (customerID: String, conversationID: String?) {
        if let conversationID {
            guard let row = try await tx.firstRow("SELECT customer_id FROM conversations WHERE id = \(bind: conversationID)") else {
                throw StoreError.notFound("conversation", conversationID)
            }
            let owner = try row.string("customer_id")
            if let asked = customerID, asked != owner, try await liveCustomer(asked, in: tx) != owner {
                throw StoreError(.invalidReference, "conversation \(conversationID) belongs to another customer than \(asked)", field: "customer_id")
            }
            return (owner, conversationID)
        }
        let asked = customerID ?? ""
        guard let live = try await liveCustomer(asked, in: tx) else { throw StoreError.notFound("customer", asked) }
        return (live, nil)
    }

    /// The customer itself, or the survivor it was merged into; nil when it does not exist or was deleted.
    private func liveCustomer(_ id: String, in tx: WriteTransaction) async throws -> String? {
        guard let row = try await tx.firstRow("SELECT merged_into, deleted_at FROM customers WHERE id = \(bind: id)") else { return nil }
        if let survivor = try row.optionalString("merged_into") { return survivor }
        return try row.optionalTimestamp("deleted_at") == nil ? id : nil
    }
}
