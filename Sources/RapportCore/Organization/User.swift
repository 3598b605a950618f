/// A person at the company who works with customers in Rapport.
public struct User: Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var role: Role
    public var departmentID: String?
    public var active: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, email: String, name: String, role: Role, departmentID: String?, active: Bool,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.departmentID = departmentID
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "email": .string(email), "name": .string(name), "role": .string(role.rawValue),
            "department_id": departmentID.map(JSONValue.string) ?? .null, "active": .bool(active),
            "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
    }
}

/// Validated fields for creating or editing a user.
public struct UserChanges: Sendable, Equatable {
    public var email: String?
    public var name: String?
    public var role: Role?
    public var departmentID: PatchValue<String> = .unchanged
    public var active: Bool?

    public init(email: String? = nil, name: String? = nil, role: Role? = nil,
                departmentID: PatchValue<String> = .unchanged, active: Bool? = nil) {
        self.email = email
        self.name = name
        self.role = role
        self.departmentID = departmentID
        self.active = active
    }

    public static func read(_ value: JSONValue, creating: Bool, normalizer: IdentityNormalizer) throws(ValidationFailure) -> UserChanges {
        var reader = try InputReader(value)
        var email = reader.string("email", required: creating, maxLength: 254)
        if let raw = email {
            do throws(IdentityError) {
                email = try normalizer.normalizeEmail(raw)
            } catch {
                reader.fail("email", error.message)
            }
        }
        let name = reader.string("name", required: creating, maxLength: 200)
        let role: Role? = reader.enumeration("role", required: creating)
        let department = reader.patchString("department_id", maxLength: 64)
        let active = reader.bool("active")
        try reader.finish()
        return UserChanges(email: email, name: name, role: role, departmentID: department, active: active)
    }
}
