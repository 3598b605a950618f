import RapportCore

/// A new customer made ready before the writer takes it: its id, time, the versions of its
/// fields, its row's text columns and its `rapport.customer.created` event, all built where the
/// single writer does not wait for them (an import's reader, beside the writer on the other core).
/// The writer only checks that its identities are still free and queues it; a row whose customer
/// turns out to exist is applied as an update and the preparation dropped.
public struct PreparedCustomer: Sendable {
    let row: CustomerRow
    let event: EventDraft
    /// The event's data as stored.
    let eventText: String
    let channelID: String?

    public var customer: Customer { row.record.customer }
}

extension SQLCustomerStore {
    /// Makes `new` ready to be created by `actor` (see `PreparedCustomer`); runs off the writer.
    public func prepare(_ new: NewCustomer, actor: Actor, channelID: String?) -> PreparedCustomer {
        let time = store.clock()
        let provenance = store.hybridClock.provenance(of: actor, channelID: channelID, at: time, after: nil)
        let record = new.versioned(id: ids.next(prefix: "cus"), at: time, by: provenance)
        let customer = record.customer
        let event = EventDraft.change("customer", "created", subject: customer.id, record: customer.json,
                                      changedFields: CustomerFields.present(in: customer), actor: actor, channelID: channelID)
        return PreparedCustomer(row: CustomerRow(created: record, from: new, by: provenance), event: event, eventText: event.data.jsonString, channelID: channelID)
    }

    /// Creates a prepared customer whose identities were just looked up in this transaction and
    /// found free: its rows join the batch's multi-row inserts.
    func create(_ prepared: PreparedCustomer, in tx: WriteTransaction) async throws -> Customer {
        let customer = prepared.customer
        try await checkOwnerExists(customer.ownerID, in: tx)
        tx.bufferInsert(prepared.row)
        tx.lookups.hold(customer.identities, by: customer.id)
        tx.append(prepared.event, serialized: prepared.eventText)
        return customer
    }
}
