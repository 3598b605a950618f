import Crypto
import Foundation
import RapportCore
import SQLKit

/// A newly made API key: the secret exists only here and is never stored.
public struct IssuedAPIKey: Sendable {
    public var key: APIKey
    public var secret: String
}

/// How API key secrets (and session and setup tokens) look and are hashed.
public enum APIKeySecret {
    /// `prefix` (`rpk_` for API keys) followed by 43 URL-safe base64 characters (256 random bits).
    public static func generate(prefix: String = "rpk_") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    /// SHA-256 of the secret, hex. A fast hash suffices: the secret has 256 bits of entropy.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension SQLAccessStore {
    public func issueAPIKey(_ request: APIKeyRequest, actor: Actor, in tx: WriteTransaction) async throws -> IssuedAPIKey {
        try await store.organization.checkDepartmentExists(request.departmentID, in: tx)
        let secret = APIKeySecret.generate()
        let now = tx.now()
        let key = APIKey(id: tx.newID("key"), name: request.name, prefix: String(secret.prefix(12)), role: request.role,
                         departmentID: request.departmentID, createdAt: now, revokedAt: nil)
        try await tx.execute("""
            INSERT INTO api_keys (id, name, prefix, secret_hash, role, department_id, created_at)
            VALUES (\(bind: key.id), \(bind: key.name), \(bind: key.prefix), \(bind: APIKeySecret.hash(secret)),
                    \(bind: key.role.rawValue), \(bind: key.departmentID), \(bind: now.microseconds))
            """)
        tx.append(.change("api_key", "created", subject: key.id, record: key.json, changedFields: ["name", "role", "department_id"], actor: actor))
        return IssuedAPIKey(key: key, secret: secret)
    }

    public func revokeAPIKey(id: String, actor: Actor, in tx: WriteTransaction) async throws -> APIKey {
        guard var key = try await APIKeyRows.find(id: id, on: tx.database) else { throw StoreError.notFound("API key", id) }
        guard key.revokedAt == nil else { return key }
        key.revokedAt = tx.now()
        try await tx.execute("UPDATE api_keys SET revoked_at = \(bind: key.revokedAt!.microseconds) WHERE id = \(bind: id)")
        tx.append(.change("api_key", "revoked", subject: id, record: key.json, changedFields: ["revoked_at"], actor: actor))
        return key
    }
}

extension SQLAccessStore {
    public func apiKeys() async throws -> [APIKey] {
        try await read { database in
            try await database.raw("SELECT * FROM api_keys ORDER BY id").all().map(APIKeyRows.decode)
        }
    }

    /// The active key whose secret this is, or nil.
    public func authenticate(secret: String) async throws -> APIKey? {
        let hash = APIKeySecret.hash(secret)
        return try await read { database in
            try await database.raw("SELECT * FROM api_keys WHERE secret_hash = \(bind: hash) AND revoked_at IS NULL").first()
                .map(APIKeyRows.decode)
        }
    }

    /// Whether any admin key exists that is not revoked (first start creates one when not).
    public func hasActiveAdminKey() async throws -> Bool {
        try await read { database in
            try await database.raw("SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1").first() != nil
        }
    }
}

enum APIKeyRows {
    static func find(id: String, on database: any SQLDatabase) async throws -> APIKey? {
        try await database.raw("SELECT * FROM api_keys WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> APIKey {
        APIKey(id: try row.string("id"), name: try row.string("name"), prefix: try row.string("prefix"),
               role: try storedEnum(try row.string("role")), departmentID: try row.optionalString("department_id"),
               createdAt: try row.timestamp("created_at"), revokedAt: try row.optionalTimestamp("revoked_at"))
    }
}
