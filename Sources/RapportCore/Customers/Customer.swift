/// The one record that every channel and department shares for a person or an organization.
public struct Customer: Sendable, Equatable {
    public var id: String
    public var kind: CustomerKind
    public var name: String
    public var givenName: String?
    public var familyName: String?
    /// Every identity that resolves to this customer, emails and phones included, in the order given.
    public var identities: [Identity]
    public var addresses: [Address]
    public var company: String?
    public var lifecycleStage: LifecycleStage?
    public var ownerID: String?
    public var attributes: JSONObject
    /// Increases by one with every change; the ETag is derived from it.
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var deletedAt: Timestamp?
    /// Set when a merge absorbed this customer: the survivor that now stands for it.
    public var mergedInto: String?

    public init(
        id: String, kind: CustomerKind, name: String, givenName: String? = nil, familyName: String? = nil,
        identities: [Identity] = [], addresses: [Address] = [], company: String? = nil,
        lifecycleStage: LifecycleStage? = nil, ownerID: String? = nil, attributes: JSONObject = JSONObject(),
        version: Int64 = 1, createdAt: Timestamp, updatedAt: Timestamp, deletedAt: Timestamp? = nil, mergedInto: String? = nil
    ) {
        self.id = id
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
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.mergedInto = mergedInto
    }

    public var emails: [String] { identities.filter { $0.kind == .email }.map(\.value) }
    public var phones: [String] { identities.filter { $0.kind == .phone }.map(\.value) }

    /// The strong entity tag of this version, quoted as HTTP wants it.
    public var etag: String { "\"\(id)-v\(version)\"" }
}

/// Whether a customer is a person or an organization.
public enum CustomerKind: String, Sendable, CaseIterable {
    case person
    case organization
}

/// Where a customer stands in the relationship, from first contact to loss.
public enum LifecycleStage: String, Sendable, CaseIterable {
    case subscriber
    case lead
    case marketingQualifiedLead = "marketing_qualified_lead"
    case salesQualifiedLead = "sales_qualified_lead"
    case opportunity
    case customer
    case evangelist
    case churned
    case other
}
