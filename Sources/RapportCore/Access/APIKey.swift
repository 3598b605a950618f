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

/// The authenticated caller of a request: an API key, or a person signed in with a session.
public struct Principal: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        case apiKey(id: String)
        /// `viaCookie` when the browser sent it as a cookie: unsafe requests then need the CSRF token.
        case session(id: String, userID: String, csrfToken: String, viaCookie: Bool)
    }

    public var credential: Credential
    public var role: Role
    public var departmentID: String?

    public init(keyID: String, role: Role, departmentID: String?) {
        self.init(credential: .apiKey(id: keyID), role: role, departmentID: departmentID)
    }

    public init(credential: Credential, role: Role, departmentID: String?) {
        self.credential = credential
        self.role = role
        self.departmentID = departmentID
    }

    /// Who owns what this caller does: the key, or the signed-in user (whichever session they use),
    /// e.g. for idempotency keys.
    public var keyID: String {
        switch credential {
        case .apiKey(let id): id
        case .session(_, let userID, _, _): userID
        }
    }

    /// The signed-in user, for a session.
    public var userID: String? {
        if case .session(_, let userID, _, _) = credential { return userID }
        return nil
    }

    public var actor: Actor {
        switch credential {
        case .apiKey(let id): Actor(kind: .apiKey, id: id)
        case .session(_, let userID, _, _): Actor(kind: .user, id: userID)
        }
    }
}

extension Principal {
    /// The caller as a reader of the event log.
    public var eventReader: EventReader { EventReader(role: role, departmentID: departmentID, userID: userID) }
}
