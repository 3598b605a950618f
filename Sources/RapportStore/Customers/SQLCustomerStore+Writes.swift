import RapportCore
import SQLKit

extension SQLCustomerStore {
    /// Creates a customer with its identities; 409 when another customer holds one of them.
    public func createCustomer(_ new: NewCustomer, actor: Actor, channelID: String? = nil,
                               in tx: WriteTransaction) async throws -> Customer {
        try await createCustomer(new, actor: actor, channelID: channelID, identitiesKnownFree: false, in: tx)
    }

    /// For ingest: the identities were just looked up in this transaction and found free, so the
    /// check is skipped and the rows join the batch's multi-row inserts.
    func createCustomer(_ new: NewCustomer, actor: Actor, channelID: String?, identitiesKnownFree: Bool,
                        in tx: WriteTransaction) async throws -> Customer {
        if !identitiesKnownFree { try await checkIdentitiesFree(new.identities, for: nil, in: tx) }
        try await checkOwnerExists(new.ownerID, in: tx)
        let provenance = tx.provenance(of: actor, channelID: channelID, after: nil)
        let record = new.versioned(id: tx.newID("cus"), at: tx.now(), by: provenance)
        let customer = record.customer
        if identitiesKnownFree {
            tx.bufferInsert(CustomerRow(created: record, from: new, by: provenance))
        } else {
            tx.markWritten()
            try await CustomerRows.insert([CustomerRow(created: record, from: new, by: provenance)], on: tx.database)
        }
        tx.lookups.hold(customer.identities, by: customer.id)
        tx.append(.change("customer", "created", subject: customer.id, record: customer.json,
                       changedFields: CustomerFields.present(in: customer), actor: actor, channelID: channelID))
        return customer
    }

    /// Applies a merge patch; `expectedVersion` (from `If-Match`) must be current when given.
    public func patchCustomer(id: String, patch: CustomerPatch, expectedVersion: Int64?, actor: Actor,
                              in tx: WriteTransaction) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: expectedVersion, in: tx)
        let changes = patch.changes(against: current.customer)
        guard !changes.isEmpty else { return current.customer }
        let provenance = tx.provenance(of: actor, channelID: nil, after: current.versions.newest)
        return try await applyChanges(changes, by: provenance, to: current, actor: actor, in: tx).customer
    }

    /// Applies the changes of one write, each field keeping its newest version, and stores the
    /// result with an event; identities it adds must be free.
    func applyChanges(_ changes: [CustomerFieldChange], by provenance: Provenance, to current: VersionedCustomer,
                      actor: Actor, in tx: WriteTransaction) async throws -> (customer: Customer, changedFields: [String]) {
        var next = current
        let changed = next.apply(changes, by: provenance)
        guard next.versions != current.versions else { return (current.customer, []) }
        let id = current.customer.id
        if next.customer.identities != current.customer.identities {
            try await checkIdentitiesFree(next.customer.identities.filter { !current.customer.identities.contains($0) }, for: id, in: tx)
        }
        if next.customer.ownerID != current.customer.ownerID { try await checkOwnerExists(next.customer.ownerID, in: tx) }
        if !changed.isEmpty {
            next.customer.version += 1
            next.customer.updatedAt = tx.now()
        }
        tx.markWritten()
        try await CustomerRows.update(next, on: tx.database)
        if next.customer.identities != current.customer.identities {
            try await tx.execute("DELETE FROM identities WHERE customer_id = \(bind: id)")
            tx.lookups.release(current.customer.identities)
            try await insertIdentities(next.customer.identities, of: id, in: tx)
        }
        if !changed.isEmpty {
            tx.append(.change("customer", "updated", subject: id, record: next.customer.json, changedFields: changed, actor: actor,
                           channelID: provenance.channelID))
        }
        return (next.customer, changed)
    }

    /// Marks a customer deleted and releases its identities so they can resolve to someone else.
    public func deleteCustomer(id: String, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws {
        var customer = try await lockedCustomer(id: id, expectedVersion: expectedVersion, in: tx).customer
        let now = tx.now()
        customer.deletedAt = now
        customer.version += 1
        customer.updatedAt = now
        try await tx.execute("""
            UPDATE customers SET deleted_at = \(bind: now.microseconds), updated_at = \(bind: now.microseconds),
            version = \(bind: customer.version) WHERE id = \(bind: id)
            """)
        try await tx.execute("DELETE FROM identities WHERE customer_id = \(bind: id)")
        tx.lookups.release(customer.identities)
        try await store.duplicates.dismissDuplicates(involving: [id], in: tx)
        tx.append(.change("customer", "deleted", subject: id, record: customer.json, changedFields: ["deleted_at"], actor: actor))
    }

    /// Adds one identity to a customer; 409 names the customer that already holds it.
    public func addIdentity(_ identity: Identity, to id: String, actor: Actor, in tx: WriteTransaction) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: nil, in: tx).customer
        if current.identities.contains(identity) { return current }
        var patch = CustomerPatch()
        switch identity.kind {
        case .email: patch.emails = current.identities.filter { $0.kind == .email } + [identity]
        case .phone: patch.phones = current.identities.filter { $0.kind == .phone } + [identity]
        default:
            patch.otherIdentities = current.identities.filter { $0.kind != .email && $0.kind != .phone } + [identity]
        }
        return try await patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor, in: tx)
    }

    public func removeIdentity(_ identity: Identity, from id: String, actor: Actor, in tx: WriteTransaction) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: nil, in: tx).customer
        guard current.identities.contains(identity) else {
            throw StoreError(.notFound, "customer \(id) has no identity \(identity.qualified)")
        }
        var patch = CustomerPatch()
        switch identity.kind {
        case .email: patch.emails = current.identities.filter { $0.kind == .email && $0 != identity }
        case .phone: patch.phones = current.identities.filter { $0.kind == .phone && $0 != identity }
        default:
            patch.otherIdentities = current.identities.filter { $0.kind != .email && $0.kind != .phone && $0 != identity }
        }
        return try await patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor, in: tx)
    }

    /// The customer an identity resolves to, within this transaction.
    public func customerID(holding identity: Identity, in tx: WriteTransaction) async throws -> String? {
        switch tx.lookups.holder(of: identity) {
        case .customer(let id): return id
        case .nobody: return nil
        case nil: break
        }
        let holder = try await tx.firstRow("SELECT customer_id FROM identities WHERE kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value)")
            .map { try $0.string("customer_id") }
        if let holder { tx.lookups.hold([identity], by: holder) } else { tx.lookups.release([identity]) }
        return holder
    }

    /// The customer to change, locked against other nodes until commit; a merged one is refused
    /// with the survivor named.
    func lockedCustomer(id: String, expectedVersion: Int64?, in tx: WriteTransaction) async throws -> VersionedCustomer {
        guard let current = try await CustomerRows.findVersioned(id: id, forUpdate: true, on: tx.database) else {
            throw StoreError.notFound("customer", id)
        }
        if current.customer.mergedInto != nil { throw StoreError.merged(current.customer) }
        if let expectedVersion, expectedVersion != current.customer.version {
            throw StoreError(.preconditionFailed, "customer \(id) is at version \(current.customer.version), not \(expectedVersion)")
        }
        return current
    }

    func checkIdentitiesFree(_ identities: [Identity], for customerID: String?, in tx: WriteTransaction) async throws {
        var unknown: [Identity] = []
        for identity in identities {
            switch tx.lookups.holder(of: identity) {
            case .customer(let holder) where holder != customerID:
                throw StoreError(.conflict, "identity \(identity.qualified) belongs to customer \(holder)",
                                 field: CustomerFields.field(of: identity.kind), holderID: holder)
            case .customer, .nobody: continue
            case nil: unknown.append(identity)
            }
        }
        guard !unknown.isEmpty else { return }
        var conditions: [SQLQueryString] = []
        for identity in unknown {
            conditions.append("(kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value))")
        }
        let rows = try await tx.rows("SELECT kind, value, customer_id FROM identities WHERE " + conditions.joined(separator: " OR "))
        for row in rows {
            let holder = try row.string("customer_id")
            guard holder != customerID else { continue }
            let identity = Identity(kind: try storedEnum(try row.string("kind")), value: try row.string("value"))
            throw StoreError(.conflict, "identity \(identity.qualified) belongs to customer \(holder)",
                             field: CustomerFields.field(of: identity.kind), holderID: holder)
        }
    }

    func insertIdentities(_ identities: [Identity], of customerID: String, in tx: WriteTransaction) async throws {
        guard !identities.isEmpty else { return }
        tx.markWritten()
        try await CustomerRows.insertIdentities([(customerID, identities)], at: tx.now(), on: tx.database)
        tx.lookups.hold(identities, by: customerID)
    }

    func checkOwnerExists(_ ownerID: String?, in tx: WriteTransaction) async throws {
        guard let ownerID else { return }
        if try await tx.firstRow("SELECT id FROM users WHERE id = \(bind: ownerID)") == nil {
            throw StoreError(.invalidReference, "user \(ownerID) does not exist", field: "owner_id")
        }
    }
}

/// Names of customer fields as the API spells them.
enum CustomerFields {
    static func field(of kind: IdentityKind) -> String {
        switch kind {
        case .email: "emails"
        case .phone: "phones"
        default: "identities"
        }
    }

    static func present(in customer: Customer) -> [String] {
        var fields = ["kind", "name"]
        if customer.givenName != nil { fields.append("given_name") }
        if customer.familyName != nil { fields.append("family_name") }
        if !customer.emails.isEmpty { fields.append("emails") }
        if !customer.phones.isEmpty { fields.append("phones") }
        if !customer.identities.isEmpty { fields.append("identities") }
        if !customer.addresses.isEmpty { fields.append("addresses") }
        if customer.company != nil { fields.append("company") }
        if customer.lifecycleStage != nil { fields.append("lifecycle_stage") }
        if customer.ownerID != nil { fields.append("owner_id") }
        if !customer.attributes.isEmpty { fields.append("attributes") }
        return fields
    }
}
