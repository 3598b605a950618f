/// A customer together with the versions of its fields: the unit that converges.
///
/// Applying the same writes in any order, any number of times, gives the same customer and the
/// same versions, because every field keeps the value of its greatest version.
public struct VersionedCustomer: Sendable, Equatable {
    public var customer: Customer
    public var versions: CustomerVersions

    public init(customer: Customer, versions: CustomerVersions) {
        self.customer = customer
        self.versions = versions.completed(for: customer)
    }

    /// Applies the changes of one write; returns the API names of the fields whose value changed
    /// (the versions may change without a value changing, e.g. a newer write of the same value).
    @discardableResult
    public mutating func apply(_ changes: [CustomerFieldChange], by provenance: Provenance) -> [String] {
        let before = customer
        var listsTouched = false
        for change in changes {
            switch change {
            case .addIdentity(let identity, let rank):
                var state = versions.identities[identity] ?? ElementVersions()
                if state.add(rank: rank, by: provenance) { versions.identities[identity] = state; listsTouched = true }
            case .removeIdentity(let identity):
                var state = versions.identities[identity] ?? ElementVersions()
                if state.remove(by: provenance) { versions.identities[identity] = state; listsTouched = true }
            case .addAddress(let address, let rank):
                let key = CustomerVersions.key(of: address)
                var state = versions.addresses[key]?.versions ?? ElementVersions()
                if state.add(rank: rank, by: provenance) { versions.addresses[key] = (address, state); listsTouched = true }
            case .removeAddress(let address):
                let key = CustomerVersions.key(of: address)
                var state = versions.addresses[key]?.versions ?? ElementVersions()
                if state.remove(by: provenance) { versions.addresses[key] = (address, state); listsTouched = true }
            default:
                applyRegister(change, by: provenance)
            }
        }
        if listsTouched { rebuildLists() }
        return Self.changedFields(from: before, to: customer)
    }

    /// Writes a register when this write's version is the greatest it has seen.
    private mutating func applyRegister(_ change: CustomerFieldChange, by provenance: Provenance) {
        guard let key = change.registerKey else { return }
        let incoming = Self.registerValue(of: change)
        let current = registerValue(key)
        if let held = versions.registers[key] {
            if provenance.version < held.version { return }
            if provenance.version == held.version {
                // The same version with another value: only a faulty writer does this, but every
                // replica must still pick the same one.
                guard incoming != current, incoming.jsonString > current.jsonString else { return }
            }
        }
        assign(change, provenance: provenance)
    }

    /// Sets a register whatever its version: for merges, where survivorship rules decide.
    /// A nil provenance records the value as unversioned.
    mutating func assign(_ change: CustomerFieldChange, provenance: Provenance?) {
        guard let key = change.registerKey else { return }
        versions.registers[key] = provenance
        switch change {
        case .kind(let kind): customer.kind = kind
        case .name(let name): customer.name = name
        case .givenName(let value): customer.givenName = value
        case .familyName(let value): customer.familyName = value
        case .company(let value): customer.company = value
        case .lifecycleStage(let value): customer.lifecycleStage = value
        case .ownerID(let value): customer.ownerID = value
        case .attribute(let name, let value):
            if let value, !value.isNull { customer.attributes[name] = value } else { customer.attributes.removeValue(forKey: name) }
        case .addIdentity, .removeIdentity, .addAddress, .removeAddress: break
        }
    }

    /// The present elements of each list, oldest add first, in the order their write gave.
    mutating func rebuildLists() {
        let present = versions.identities.filter { $0.value.isPresent }
        customer.identities = IdentityKind.allCases.flatMap { kind in
            present.filter { $0.key.kind == kind }
                .sorted { Self.precedes(($0.value, $0.key.qualified), ($1.value, $1.key.qualified)) }
                .map(\.key)
        }
        customer.addresses = versions.addresses.filter { $0.value.versions.isPresent }
            .sorted { Self.precedes(($0.value.versions, $0.key), ($1.value.versions, $1.key)) }
            .map(\.value.address)
    }

    private static func precedes(_ lhs: (ElementVersions, String), _ rhs: (ElementVersions, String)) -> Bool {
        let left = lhs.0.added?.version ?? Provenance.genesis.version
        let right = rhs.0.added?.version ?? Provenance.genesis.version
        if left != right { return left < right }
        if lhs.0.rank != rhs.0.rank { return lhs.0.rank < rhs.0.rank }
        return lhs.1 < rhs.1
    }

    /// The value a register holds now, as JSON.
    public func registerValue(_ key: String) -> JSONValue {
        switch key {
        case "kind": .string(customer.kind.rawValue)
        case "name": .string(customer.name)
        case "given_name": customer.givenName.map(JSONValue.string) ?? .null
        case "family_name": customer.familyName.map(JSONValue.string) ?? .null
        case "company": customer.company.map(JSONValue.string) ?? .null
        case "lifecycle_stage": customer.lifecycleStage.map { .string($0.rawValue) } ?? .null
        case "owner_id": customer.ownerID.map(JSONValue.string) ?? .null
        default:
            if key.hasPrefix("attributes.") { customer.attributes[String(key.dropFirst("attributes.".count))] ?? .null } else { .null }
        }
    }

    private static func registerValue(of change: CustomerFieldChange) -> JSONValue {
        switch change {
        case .kind(let kind): .string(kind.rawValue)
        case .name(let name): .string(name)
        case .givenName(let value), .familyName(let value), .company(let value), .ownerID(let value):
            value.map(JSONValue.string) ?? .null
        case .lifecycleStage(let stage): stage.map { .string($0.rawValue) } ?? .null
        case .attribute(_, let value): value ?? .null
        case .addIdentity, .removeIdentity, .addAddress, .removeAddress: .null
        }
    }

    /// The API names of the fields that differ between two states of a customer.
    public static func changedFields(from old: Customer, to new: Customer) -> [String] {
        var changed: [String] = []
        func note(_ field: String, _ differs: Bool) { if differs { changed.append(field) } }
        note("kind", old.kind != new.kind)
        note("name", old.name != new.name)
        note("given_name", old.givenName != new.givenName)
        note("family_name", old.familyName != new.familyName)
        note("emails", old.emails != new.emails)
        note("phones", old.phones != new.phones)
        note("identities", old.identities != new.identities)
        note("addresses", old.addresses != new.addresses)
        note("company", old.company != new.company)
        note("lifecycle_stage", old.lifecycleStage != new.lifecycleStage)
        note("owner_id", old.ownerID != new.ownerID)
        note("attributes", old.attributes != new.attributes)
        return changed
    }
}
