/// Limits that keep one customer record a sensible size.
public enum CustomerLimits {
    public static let identitiesPerKind = 50
    public static let addresses = 20
    public static let attributes = 200
    public static let attributeKeyLength = 64
}

extension NewCustomer {
    /// Validates a create request body.
    public static func read(_ body: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> NewCustomer {
        var reader = try InputReader(body)
        let kind: CustomerKind = reader.enumeration("kind") ?? .person
        let givenName = reader.string("given_name", maxLength: 200)
        let familyName = reader.string("family_name", maxLength: 200)
        var name = reader.string("name", maxLength: 300)
        if name == nil, reader.object["name"] == nil {
            let parts = [givenName, familyName].compactMap { $0 }
            if parts.isEmpty {
                reader.fail("name", "is required (or give given_name / family_name)")
            } else {
                name = parts.joined(separator: " ")
            }
        }
        let emails = IdentityInput.read(&reader, key: "emails", kind: .email, normalizer: normalizer) ?? []
        let phones = IdentityInput.read(&reader, key: "phones", kind: .phone, normalizer: normalizer) ?? []
        let others = IdentityInput.read(&reader, key: "identities", kind: nil, normalizer: normalizer) ?? []
        let addresses = AddressInput.read(&reader) ?? []
        let company = reader.string("company", maxLength: 300)
        let stage: LifecycleStage? = reader.enumeration("lifecycle_stage")
        let owner = reader.string("owner_id", maxLength: 64)
        let attributes = AttributeInput.read(&reader) ?? JSONObject()
        try reader.finish()
        return NewCustomer(
            kind: kind, name: name ?? "", givenName: givenName, familyName: familyName,
            identities: Customer.canonicalOrder(emails + phones + others), addresses: addresses,
            company: company, lifecycleStage: stage, ownerID: owner, attributes: attributes
        )
    }
}

extension CustomerPatch {
    /// Validates a merge-patch request body.
    public static func read(_ body: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> CustomerPatch {
        var reader = try InputReader(body)
        var patch = CustomerPatch()
        patch.kind = reader.enumeration("kind")
        patch.name = reader.string("name", maxLength: 300)
        patch.givenName = reader.patchString("given_name", maxLength: 200)
        patch.familyName = reader.patchString("family_name", maxLength: 200)
        patch.emails = IdentityInput.read(&reader, key: "emails", kind: .email, normalizer: normalizer)
        patch.phones = IdentityInput.read(&reader, key: "phones", kind: .phone, normalizer: normalizer)
        if let others = IdentityInput.read(&reader, key: "identities", kind: nil, normalizer: normalizer) {
            // Emails and phones given in `identities` join those lists rather than replace them.
            let extraEmails = others.filter { $0.kind == .email }
            let extraPhones = others.filter { $0.kind == .phone }
            if !extraEmails.isEmpty { patch.emails = (patch.emails ?? []) + extraEmails }
            if !extraPhones.isEmpty { patch.phones = (patch.phones ?? []) + extraPhones }
            patch.otherIdentities = others.filter { $0.kind != .email && $0.kind != .phone }
        }
        patch.addresses = AddressInput.read(&reader)
        patch.company = reader.patchString("company", maxLength: 300)
        patch.lifecycleStage = reader.patchEnumeration("lifecycle_stage")
        patch.ownerID = reader.patchString("owner_id", maxLength: 64)
        patch.attributes = AttributeInput.read(&reader, allowNullValues: true)
        try reader.finish()
        return patch
    }
}

extension InputReader {
    /// A customer merge patch nested under `key` (e.g. the `fields` a merge sets), its problems
    /// named by their full path.
    public mutating func customerPatch(_ key: String, normalizer: IdentityNormalizer) -> CustomerPatch? {
        guard let value = value(key) else { return nil }
        do throws(ValidationFailure) {
            return try CustomerPatch.read(value, normalizer: normalizer)
        } catch {
            absorb(ValidationFailure(error.issues.map { FieldIssue(field: "\(field(key)).\($0.field)", message: $0.message) }))
            return nil
        }
    }
}

/// Reads identity lists: `emails`, `phones` (plain values) and `identities` (`kind:value`).
enum IdentityInput {
    static func read(_ reader: inout InputReader, key: String, kind: IdentityKind?, normalizer: IdentityNormalizer) -> [Identity]? {
        guard let raw = reader.stringList(key, maxCount: CustomerLimits.identitiesPerKind * IdentityKind.allCases.count) else {
            return nil
        }
        var result: [Identity] = []
        for (index, text) in raw.enumerated() {
            do throws(IdentityError) {
                let identity = if let kind { try normalizer.normalize(kind, text) } else { try normalizer.parse(text) }
                result.append(identity)
            } catch {
                reader.absorb(ValidationFailure(field: "\(reader.field(key))[\(index)]", message: error.message))
            }
        }
        return result
    }
}

enum AddressInput {
    static func read(_ reader: inout InputReader) -> [Address]? {
        guard let raw = reader.value("addresses") else { return nil }
        if raw.isNull { return [] }
        guard case .array(let elements) = raw else {
            reader.fail("addresses", "expected an array of address objects, got \(raw.typeName)")
            return nil
        }
        if elements.count > CustomerLimits.addresses {
            reader.fail("addresses", "must have at most \(CustomerLimits.addresses) entries")
            return nil
        }
        var result: [Address] = []
        for (index, element) in elements.enumerated() {
            do throws(ValidationFailure) {
                result.append(try Address.read(element, path: "\(reader.field("addresses"))[\(index)]"))
            } catch {
                reader.absorb(error)
            }
        }
        return result
    }
}

enum AttributeInput {
    static func read(_ reader: inout InputReader, allowNullValues: Bool = false) -> JSONObject? {
        guard case .set(let attributes) = reader.object("attributes", maxKeys: CustomerLimits.attributes) else { return nil }
        var valid = true
        for (key, value) in attributes {
            if !AttributeInput.isValidKey(key) {
                reader.absorb(ValidationFailure(field: "\(reader.field("attributes")).\(key.prefix(64))",
                                                message: "attribute names use letters, digits, '_', '-' and '.', at most \(CustomerLimits.attributeKeyLength) characters"))
                valid = false
            } else if value.isNull, !allowNullValues {
                reader.absorb(ValidationFailure(field: "\(reader.field("attributes")).\(key)", message: "must not be null"))
                valid = false
            }
        }
        return valid ? attributes : nil
    }

    static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= CustomerLimits.attributeKeyLength && key.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == 95 || byte == 45 || byte == 46
        }
    }
}
