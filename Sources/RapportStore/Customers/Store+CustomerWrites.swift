import RapportCore
import SQLKit

extension WriteTransaction {
    /// Creates a customer with its identities; 409 when another customer holds one of them.
    public func createCustomer(_ new: NewCustomer, actor: Actor, channelID: String? = nil) async throws -> Customer {
        try await createCustomer(new, actor: actor, channelID: channelID, identitiesKnownFree: false)
    }

    /// For ingest: the identities were just looked up in this transaction and found free, so the
    /// check is skipped and the rows join the batch's multi-row inserts.
    func createCustomer(_ new: NewCustomer, actor: Actor, channelID: String?, identitiesKnownFree: Bool) async throws -> Customer {
        if !identitiesKnownFree { try await checkIdentitiesFree(new.identities, for: nil) }
        try await checkOwnerExists(new.ownerID)
        let customer = new.customer(id: newID("cus"), at: now())
        if identitiesKnownFree {
            bufferInsert(customer)
        } else {
            markWritten()
            try await CustomerRows.insert([customer], on: database)
        }
        lookups.hold(customer.identities, by: customer.id)
        append(.change("customer", "created", subject: customer.id, record: customer.json,
                       changedFields: CustomerFields.present(in: customer), actor: actor, channelID: channelID))
        return customer
    }

    /// Applies a merge patch; `expectedVersion` (from `If-Match`) must be current when given.
    public func patchCustomer(id: String, patch: CustomerPatch, expectedVersion: Int64?, actor: Actor) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: expectedVersion)
        let applied = patch.applied(to: current)
        var next = applied.customer
        let changed = applied.changedFields
        guard !changed.isEmpty else { return current }
        if next.identities != current.identities {
            try await checkIdentitiesFree(next.identities.filter { !current.identities.contains($0) }, for: id)
        }
        if next.ownerID != current.ownerID { try await checkOwnerExists(next.ownerID) }
        next.version = current.version + 1
        next.updatedAt = now()
        try await execute("""
            UPDATE customers SET kind = \(bind: next.kind.rawValue), name = \(bind: next.name),
                name_key = \(bind: CustomerRows.nameKey(next.name)), given_name = \(bind: next.givenName),
                family_name = \(bind: next.familyName), company = \(bind: next.company),
                lifecycle_stage = \(bind: next.lifecycleStage?.rawValue), owner_id = \(bind: next.ownerID),
                addresses = \(bind: CustomerRows.addressesText(next.addresses)),
                attributes = \(bind: CustomerRows.attributesText(next.attributes)),
                version = \(bind: next.version), updated_at = \(bind: next.updatedAt.microseconds)
            WHERE id = \(bind: id) AND version = \(bind: current.version)
            """)
        if next.identities != current.identities {
            try await execute("DELETE FROM identities WHERE customer_id = \(bind: id)")
            lookups.release(current.identities)
            try await insertIdentities(next.identities, of: id)
        }
        append(.change("customer", "updated", subject: id, record: next.json, changedFields: changed, actor: actor))
        return next
    }

    /// Marks a customer deleted and releases its identities so they can resolve to someone else.
    public func deleteCustomer(id: String, expectedVersion: Int64?, actor: Actor) async throws {
        var customer = try await lockedCustomer(id: id, expectedVersion: expectedVersion)
        let now = now()
        customer.deletedAt = now
        customer.version += 1
        customer.updatedAt = now
        try await execute("""
            UPDATE customers SET deleted_at = \(bind: now.microseconds), updated_at = \(bind: now.microseconds),
            version = \(bind: customer.version) WHERE id = \(bind: id)
            """)
        try await execute("DELETE FROM identities WHERE customer_id = \(bind: id)")
        lookups.release(customer.identities)
        append(.change("customer", "deleted", subject: id, record: customer.json, changedFields: ["deleted_at"], actor: actor))
    }

    /// Adds one identity to a customer; 409 names the customer that already holds it.
    public func addIdentity(_ identity: Identity, to id: String, actor: Actor) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: nil)
        if current.identities.contains(identity) { return current }
        var patch = CustomerPatch()
        switch identity.kind {
        case .email: patch.emails = current.identities.filter { $0.kind == .email } + [identity]
        case .phone: patch.phones = current.identities.filter { $0.kind == .phone } + [identity]
        default:
            patch.otherIdentities = current.identities.filter { $0.kind != .email && $0.kind != .phone } + [identity]
        }
        return try await patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor)
    }

    public func removeIdentity(_ identity: Identity, from id: String, actor: Actor) async throws -> Customer {
        let current = try await lockedCustomer(id: id, expectedVersion: nil)
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
        return try await patchCustomer(id: id, patch: patch, expectedVersion: nil, actor: actor)
    }

    /// The customer an identity resolves to, within this transaction.
    public func customerID(holding identity: Identity) async throws -> String? {
        switch lookups.holder(of: identity) {
        case .customer(let id): return id
        case .nobody: return nil
        case nil: break
        }
        let holder = try await firstRow("SELECT customer_id FROM identities WHERE kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value)")
            .map { try $0.string("customer_id") }
        if let holder { lookups.hold([identity], by: holder) } else { lookups.release([identity]) }
        return holder
    }

    private func lockedCustomer(id: String, expectedVersion: Int64?) async throws -> Customer {
        guard let current = try await CustomerRows.find(id: id, on: database) else { throw StoreError.notFound("customer", id) }
        if let expectedVersion, expectedVersion != current.version {
            throw StoreError(.preconditionFailed, "customer \(id) is at version \(current.version), not \(expectedVersion)")
        }
        return current
    }

    private func checkIdentitiesFree(_ identities: [Identity], for customerID: String?) async throws {
        var unknown: [Identity] = []
        for identity in identities {
            switch lookups.holder(of: identity) {
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
        let rows = try await rows("SELECT kind, value, customer_id FROM identities WHERE " + conditions.joined(separator: " OR "))
        for row in rows {
            let holder = try row.string("customer_id")
            guard holder != customerID else { continue }
            let identity = Identity(kind: try storedEnum(try row.string("kind")), value: try row.string("value"))
            throw StoreError(.conflict, "identity \(identity.qualified) belongs to customer \(holder)",
                             field: CustomerFields.field(of: identity.kind), holderID: holder)
        }
    }

    private func insertIdentities(_ identities: [Identity], of customerID: String) async throws {
        guard !identities.isEmpty else { return }
        markWritten()
        try await CustomerRows.insertIdentities([(customerID, identities)], at: now(), on: database)
        lookups.hold(identities, by: customerID)
    }

    private func checkOwnerExists(_ ownerID: String?) async throws {
        guard let ownerID else { return }
        if try await firstRow("SELECT id FROM users WHERE id = \(bind: ownerID)") == nil {
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
