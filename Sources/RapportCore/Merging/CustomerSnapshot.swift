/// A customer with its versions as one JSON document, exact enough to restore it (merge undo).
extension VersionedCustomer {
    public var snapshot: JSONValue {
        ["customer": customer.json, "versions": versions.json]
    }

    /// Reads a snapshot; nil when it is not one.
    public init?(snapshot: JSONValue) {
        guard let object = snapshot.objectValue, let customer = object["customer"].flatMap(Customer.init(stored:)) else {
            return nil
        }
        self.init(customer: customer, versions: CustomerVersions(stored: object["versions"] ?? .null))
    }
}

extension Customer {
    /// Reads the API form of a customer back (from a snapshot this server wrote).
    public init?(stored value: JSONValue) {
        guard let object = value.objectValue, let id = object["id"]?.stringValue,
              let kind = object["kind"]?.stringValue.flatMap(CustomerKind.init(rawValue:)),
              let name = object["name"]?.stringValue, let version = object["version"]?.intValue,
              let created = object["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
              let updated = object["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        self.init(
            id: id, kind: kind, name: name, givenName: object["given_name"]?.stringValue,
            familyName: object["family_name"]?.stringValue,
            identities: (object["identities"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Identity.init(qualified:)) },
            addresses: (object["addresses"]?.arrayValue ?? []).map(Address.init(stored:)),
            company: object["company"]?.stringValue,
            lifecycleStage: object["lifecycle_stage"]?.stringValue.flatMap(LifecycleStage.init(rawValue:)),
            ownerID: object["owner_id"]?.stringValue, attributes: object["attributes"]?.objectValue ?? JSONObject(),
            version: version, createdAt: created, updatedAt: updated,
            deletedAt: object["deleted_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            mergedInto: object["merged_into"]?.stringValue)
    }
}
