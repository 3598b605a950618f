/// A credential for scripts and other systems; only its hash is stored.
public struct APIKey: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the secret, shown so people can tell keys apart.
    public var prefix: String
    public var role: Role
    public var departmentID: String?
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public init(id: String, name: String, prefix: String, role: Role, departmentID: String?, createdAt: Timestamp, revokedAt: Timestamp?) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.role = role
        self.departmentID = departmentID
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "prefix": .string(prefix), "role": .string(role.rawValue),
            "department_id": departmentID.map(JSONValue.string) ?? .null,
            "created_at": .string(createdAt.rfc3339),
            "revoked_at": revokedAt.map { .string($0.rfc3339) } ?? .null,
        ]
    }
}

/// Validated fields for a new API key.
public struct APIKeyRequest: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var departmentID: String?

    public init(name: String, role: Role, departmentID: String? = nil) {
        self.name = name
        self.role = role
        self.departmentID = departmentID
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> APIKeyRequest {
        var reader = try InputReader(value)
        let name = reader.string("name", required: true, maxLength: 200)
        let role: Role? = reader.enumeration("role", required: true)
        let department = reader.string("department_id", maxLength: 64)
        try reader.finish()
        return APIKeyRequest(name: name!, role: role!, departmentID: department)
    }
}

/// The authenticated caller of a request.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var role: Role
    public var departmentID: String?

    public init(keyID: String, role: Role, departmentID: String?) {
        self.keyID = keyID
        self.role = role
        self.departmentID = departmentID
    }

    public var actor: Actor { Actor(kind: .apiKey, id: keyID) }
}
