import RapportCore
import SQLKit

extension SQLImportStore {
    public func importCustomers(_ rows: [CheckedRow<CustomerImportRow>], prepared: [PreparedCustomer?], actor: Actor,
                                in tx: WriteTransaction) async throws -> ImportBatchOutcome {
        let customers = store.customers
        var outcome = ImportBatchOutcome()
        // Customers this batch created are buffered for one multi-row insert; a later row about
        // one of them needs them in the table first.
        var buffered: Set<String> = []
        // The customers the batch's rows name, read at once (a row about one of them would
        // otherwise read it alone); a customer a row changed is read again by the next row about it.
        var known = try await CustomerRows.findVersioned(ids: Self.holders(of: rows, in: tx), forUpdate: true, on: tx.database)
        for (index, row) in rows.enumerated() {
            guard case .ready(let row) = row else {
                if case .refused(let issues) = row { outcome.issues += issues }
                continue
            }
            let (result, wrote) = await tx.runPart { () async throws -> RowEffect in
                var holders: [String] = []
                for identity in row.identities {
                    guard let holder = try await customers.customerID(holding: identity, in: tx) else { continue }
                    if !holders.contains(holder) { holders.append(holder) }
                }
                guard holders.count <= 1 else {
                    throw StoreError(.conflict, "its identities belong to different customers (\(holders.joined(separator: ", "))): merge them first",
                                     field: "emails")
                }
                guard let holder = holders.first else {
                    if index < prepared.count, let ready = prepared[index] {
                        buffered.insert(try await customers.create(ready, in: tx).id)
                        return .created
                    }
                    let new: NewCustomer
                    switch row.newCustomer() {
                    case .ready(let customer): new = customer
                    case .refused(let issues): return .refused(issues)
                    }
                    let customer = try await customers.createCustomer(new, actor: actor, channelID: nil, identitiesKnownFree: true, in: tx)
                    buffered.insert(customer.id)
                    return .created
                }
                if buffered.contains(holder) {
                    try await tx.insertBufferedCustomers()
                    buffered.removeAll()
                }
                let current: VersionedCustomer
                if let read = known.removeValue(forKey: holder), read.customer.mergedInto == nil {
                    current = read
                } else {
                    current = try await customers.lockedCustomer(id: holder, expectedVersion: nil, in: tx)
                }
                let changes = row.patch(for: current.customer).changes(against: current.customer)
                guard !changes.isEmpty else { return .unchanged }
                let provenance = tx.provenance(of: actor, channelID: nil, after: current.versions.newest)
                let changed = try await customers.applyChanges(changes, by: provenance, to: current, actor: actor, in: tx).changedFields
                return changed.isEmpty ? .unchanged : .updated
            }
            try outcome.add(result, wrote: wrote, row: row.row)
        }
        return outcome
    }

    /// The existing customers the rows' identities resolve to, as far as the batch's lookups know.
    static func holders(of rows: [CheckedRow<CustomerImportRow>], in tx: WriteTransaction) -> [String] {
        var ids: Set<String> = []
        for case .ready(let row) in rows {
            for identity in row.identities {
                if case .customer(let id) = tx.lookups.holder(of: identity) { ids.insert(id) }
            }
        }
        return ids.sorted()
    }

    public func importRecords(_ rows: [CheckedRow<RecordImportRow>], type: RecordType, context: FieldValueContext,
                              actor: Actor, in tx: WriteTransaction) async throws -> ImportBatchOutcome {
        let (customers, records) = (store.customers, store.records)
        var outcome = ImportBatchOutcome()
        for row in rows {
            guard case .ready(let row) = row else {
                if case .refused(let issues) = row { outcome.issues += issues }
                continue
            }
            let (result, wrote) = await tx.runPart { () async throws -> RowEffect in
                var customerID: String?
                if let identity = row.customerIdentity {
                    guard let holder = try await customers.customerID(holding: identity, in: tx) else {
                        return .refused([row.row.issue(field: identity.kind == .email ? "customer_email" : "customer_phone",
                                                       "no customer has \(identity.qualified)")])
                    }
                    customerID = holder
                }
                switch row.action {
                case .create(var draft):
                    if let customerID { draft.customerID = customerID }
                    _ = try await records.createRecord(of: type, draft, actor: actor, in: tx)
                    return .created
                case .change(let id, var changes):
                    if let customerID { changes.customerID = .set(customerID) }
                    let query: SQLQueryString = "SELECT version FROM records WHERE id = \(bind: id) AND type_key = \(bind: type.key) AND deleted_at IS NULL"
                    guard let before = try await tx.firstRow(query) else {
                        return .refused([row.row.issue(field: "id", "id: no \(type.label.lowercased()) \(id)")])
                    }
                    let after = try await records.changeRecord(id, of: type, changes, expectedVersion: nil, context: context, actor: actor, in: tx)
                    return after.version == (try before.int64("version")) ? .unchanged : .updated
                }
            }
            try outcome.add(result, wrote: wrote, row: row.row)
        }
        return outcome
    }
}

/// What importing one row did.
enum RowEffect {
    case created
    case updated
    case unchanged
    case refused([ImportRowIssue])
}

extension ImportBatchOutcome {
    /// Counts a row's effect; a row that failed becomes its issues, unless it failed after writing
    /// part of itself — then the batch must be rolled back and run again without it.
    mutating func add(_ result: Result<RowEffect, any Error>, wrote: Bool, row: ImportRow) throws {
        switch result {
        case .success(.created): created += 1
        case .success(.updated): updated += 1
        case .success(.unchanged): unchanged += 1
        case .success(.refused(let found)): issues += found
        case .failure(let error):
            let found: [ImportRowIssue]
            switch error {
            case let failure as ValidationFailure: found = row.issues(of: failure)
            case let failure as StoreError where failure.code != .unavailable:
                found = [row.issue(field: failure.field, failure.field.map { "\($0): \(failure.message)" } ?? failure.message)]
            default: throw error
            }
            if wrote { throw ImportRowFailure(issue: found[0]) }
            issues += found
        }
    }
}
