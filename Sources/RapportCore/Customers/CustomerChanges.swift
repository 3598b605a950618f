/// The validated fields of a new customer.
public struct NewCustomer: Sendable, Equatable {
    public var kind: CustomerKind
    public var name: String
    public var givenName: String?
    public var familyName: String?
    public var identities: [Identity]
    public var addresses: [Address]
    public var company: String?
    public var lifecycleStage: LifecycleStage?
    public var ownerID: String?
    public var attributes: JSONObject

    public init(kind: CustomerKind = .person, name: String, givenName: String? = nil, familyName: String? = nil,
                identities: [Identity] = [], addresses: [Address] = [], company: String? = nil,
                lifecycleStage: LifecycleStage? = nil, ownerID: String? = nil, attributes: JSONObject = JSONObject()) {
        self.kind = kind
        self.name = name
        self.givenName = givenName
        self.familyName = familyName
        self.identities = identities
        self.addresses = addresses
        self.company = company
        self.lifecycleStage = lifecycleStage
        self.ownerID = ownerID
        self.attributes = attributes
    }

    /// The customer this describes, once it has an id and a time.
    public func customer(id: String, at time: Timestamp) -> Customer {
        Customer(id: id, kind: kind, name: name, givenName: givenName, familyName: familyName,
                 identities: identities, addresses: addresses, company: company,
                 lifecycleStage: lifecycleStage, ownerID: ownerID, attributes: attributes,
                 version: 1, createdAt: time, updatedAt: time)
    }
}

/// A validated JSON Merge Patch of a customer. Lists replace; attributes merge key by key.
public struct CustomerPatch: Sendable, Equatable {
    public var kind: CustomerKind?
    public var name: String?
    public var givenName: PatchValue<String> = .unchanged
    public var familyName: PatchValue<String> = .unchanged
    /// Replaces all identities of the kinds it names, when set.
    public var emails: [Identity]?
    public var phones: [Identity]?
    /// Replaces the identities of the other kinds (social, external, device), when set.
    public var otherIdentities: [Identity]?
    public var addresses: [Address]?
    public var company: PatchValue<String> = .unchanged
    public var lifecycleStage: PatchValue<LifecycleStage> = .unchanged
    public var ownerID: PatchValue<String> = .unchanged
    /// Keys set to null are removed.
    public var attributes: JSONObject?

    public init() {}
}

extension Customer {
    /// Identities grouped by kind (email, phone, social, external, device), each group in given order,
    /// without duplicates.
    public static func canonicalOrder(_ identities: [Identity]) -> [Identity] {
        var seen: Set<Identity> = []
        var result: [Identity] = []
        for kind in IdentityKind.allCases {
            for identity in identities where identity.kind == kind && seen.insert(identity).inserted {
                result.append(identity)
            }
        }
        return result
    }
}
