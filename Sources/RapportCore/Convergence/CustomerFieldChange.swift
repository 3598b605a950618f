/// One change to one field of a customer, as a channel or the API makes it.
///
/// Scalar fields and attribute keys are registers (the newest version wins); identities and
/// addresses are sets whose elements are added and removed one by one, so concurrent edits of a
/// list from two channels both survive.
public enum CustomerFieldChange: Sendable, Equatable {
    case kind(CustomerKind)
    case name(String)
    case givenName(String?)
    case familyName(String?)
    case company(String?)
    case lifecycleStage(LifecycleStage?)
    case ownerID(String?)
    /// Sets an attribute; `nil` removes the key.
    case attribute(String, JSONValue?)
    /// `rank` orders elements added by the same write (their position in the list given).
    case addIdentity(Identity, rank: Int)
    case removeIdentity(Identity)
    case addAddress(Address, rank: Int)
    case removeAddress(Address)

    /// The register this change writes, e.g. `name` or `attributes.tier`; nil for set elements.
    public var registerKey: String? {
        switch self {
        case .kind: "kind"
        case .name: "name"
        case .givenName: "given_name"
        case .familyName: "family_name"
        case .company: "company"
        case .lifecycleStage: "lifecycle_stage"
        case .ownerID: "owner_id"
        case .attribute(let key, _): "attributes.\(key)"
        case .addIdentity, .removeIdentity, .addAddress, .removeAddress: nil
        }
    }
}

extension CustomerFieldChange {
    /// The change that sets register `key` to `value` (its JSON form); nil for an unknown key or a
    /// value of the wrong type.
    public static func register(_ key: String, _ value: JSONValue) -> CustomerFieldChange? {
        let text = value.stringValue
        switch key {
        case "kind": return text.flatMap(CustomerKind.init(rawValue:)).map { .kind($0) }
        case "name": return text.map { .name($0) }
        case "given_name": return value.isNull ? .givenName(nil) : text.map { .givenName($0) }
        case "family_name": return value.isNull ? .familyName(nil) : text.map { .familyName($0) }
        case "company": return value.isNull ? .company(nil) : text.map { .company($0) }
        case "owner_id": return value.isNull ? .ownerID(nil) : text.map { .ownerID($0) }
        case "lifecycle_stage":
            return value.isNull ? .lifecycleStage(nil) : text.flatMap(LifecycleStage.init(rawValue:)).map { .lifecycleStage($0) }
        default:
            guard key.hasPrefix("attributes."), key.count > "attributes.".count else { return nil }
            return .attribute(String(key.dropFirst("attributes.".count)), value.isNull ? nil : value)
        }
    }
}

extension NewCustomer {
    /// Every field of the new customer as changes of one write.
    public var changes: [CustomerFieldChange] {
        var changes: [CustomerFieldChange] = [.kind(kind), .name(name)]
        if let givenName { changes.append(.givenName(givenName)) }
        if let familyName { changes.append(.familyName(familyName)) }
        if let company { changes.append(.company(company)) }
        if let lifecycleStage { changes.append(.lifecycleStage(lifecycleStage)) }
        if let ownerID { changes.append(.ownerID(ownerID)) }
        for (key, value) in attributes { changes.append(.attribute(key, value)) }
        for (rank, identity) in identities.enumerated() { changes.append(.addIdentity(identity, rank: rank)) }
        for (rank, address) in addresses.enumerated() { changes.append(.addAddress(address, rank: rank)) }
        return changes
    }
}

extension CustomerPatch {
    /// The changes this merge patch makes to `customer`: only what differs, lists as the elements
    /// to add and remove.
    public func changes(against customer: Customer) -> [CustomerFieldChange] {
        var changes: [CustomerFieldChange] = []
        if let kind, kind != customer.kind { changes.append(.kind(kind)) }
        if let name, name != customer.name { changes.append(.name(name)) }
        let given = givenName.applied(to: customer.givenName)
        if given != customer.givenName { changes.append(.givenName(given)) }
        let family = familyName.applied(to: customer.familyName)
        if family != customer.familyName { changes.append(.familyName(family)) }
        let company = company.applied(to: customer.company)
        if company != customer.company { changes.append(.company(company)) }
        let stage = lifecycleStage.applied(to: customer.lifecycleStage)
        if stage != customer.lifecycleStage { changes.append(.lifecycleStage(stage)) }
        let owner = ownerID.applied(to: customer.ownerID)
        if owner != customer.ownerID { changes.append(.ownerID(owner)) }
        if let attributes {
            for (key, value) in attributes {
                if value.isNull {
                    if customer.attributes[key] != nil { changes.append(.attribute(key, nil)) }
                } else if customer.attributes[key] != value {
                    changes.append(.attribute(key, value))
                }
            }
        }
        let replaced: [(kinds: (IdentityKind) -> Bool, list: [Identity]?)] = [
            ({ $0 == .email }, emails),
            ({ $0 == .phone }, phones),
            ({ $0 != .email && $0 != .phone }, otherIdentities),
        ]
        for (matches, list) in replaced {
            guard let list else { continue }
            let current = customer.identities.filter { matches($0.kind) }
            let wanted = Customer.canonicalOrder(list)
            for identity in current where !wanted.contains(identity) { changes.append(.removeIdentity(identity)) }
            for (rank, identity) in wanted.enumerated() where !current.contains(identity) {
                changes.append(.addIdentity(identity, rank: rank))
            }
        }
        if let addresses {
            for address in customer.addresses where !addresses.contains(address) { changes.append(.removeAddress(address)) }
            for (rank, address) in addresses.enumerated() where !customer.addresses.contains(address) {
                changes.append(.addAddress(address, rank: rank))
            }
        }
        return changes
    }
}

extension NewCustomer {
    /// The new customer with the versions of its first write.
    public func versioned(id: String, at time: Timestamp, by provenance: Provenance) -> VersionedCustomer {
        var blank = customer(id: id, at: time)
        blank.identities = []
        blank.addresses = []
        blank.attributes = JSONObject()
        var record = VersionedCustomer(customer: blank, versions: CustomerVersions())
        record.apply(changes, by: provenance)
        return record
    }
}
