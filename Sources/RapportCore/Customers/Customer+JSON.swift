extension Customer {
    /// The customer as the API and the event log show it.
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["kind"] = .string(kind.rawValue)
        object["name"] = .string(name)
        object["given_name"] = givenName.map(JSONValue.string) ?? .null
        object["family_name"] = familyName.map(JSONValue.string) ?? .null
        object["emails"] = .array(emails.map(JSONValue.string))
        object["phones"] = .array(phones.map(JSONValue.string))
        object["identities"] = .array(identities.map { .string($0.qualified) })
        object["addresses"] = .array(addresses.map(\.json))
        object["company"] = company.map(JSONValue.string) ?? .null
        object["lifecycle_stage"] = lifecycleStage.map { .string($0.rawValue) } ?? .null
        object["owner_id"] = ownerID.map(JSONValue.string) ?? .null
        object["attributes"] = .object(attributes)
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        if let deletedAt { object["deleted_at"] = .string(deletedAt.rfc3339) }
        if let mergedInto { object["merged_into"] = .string(mergedInto) }
        return .object(object)
    }
}
