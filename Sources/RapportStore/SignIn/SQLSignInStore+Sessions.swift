import RapportCore
import SQLKit

extension SQLSignInStore {
    public func credentials(email: String) async throws -> (User, passwordHash: String)? {
        try await read { database in
            guard let row = try await database.raw("""
                SELECT u.*, p.password_hash FROM users u JOIN user_passwords p ON p.user_id = u.id
                WHERE u.email = \(bind: email) AND u.active = 1
                """).first() else { return nil }
            return (try UserRows.decode(row), try row.string("password_hash"))
        }
    }

    public func startSession(userID: String, lifetimeSeconds: Int64, in tx: WriteTransaction) async throws -> IssuedSession {
        let now = tx.now()
        let token = APIKeySecret.generate(prefix: "rps_")
        let session = Session(id: tx.newID("ses"), userID: userID, csrfToken: APIKeySecret.generate(prefix: ""),
                              createdAt: now, expiresAt: Timestamp(microseconds: now.microseconds + lifetimeSeconds * 1_000_000))
        try await tx.execute("""
            INSERT INTO sessions (id, token_hash, user_id, csrf_token, created_at, expires_at)
            VALUES (\(bind: session.id), \(bind: APIKeySecret.hash(token)), \(bind: userID), \(bind: session.csrfToken),
                    \(bind: now.microseconds), \(bind: session.expiresAt.microseconds))
            """)
        return IssuedSession(session: session, token: token)
    }

    public func session(token: String) async throws -> (Session, User)? {
        let hash = APIKeySecret.hash(token)
        let now = clock()
        return try await read { database in
            guard let row = try await database.raw("""
                SELECT s.id AS session_id, s.csrf_token, s.created_at AS session_created_at, s.expires_at, s.ended_at, u.*
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: hash) AND s.ended_at IS NULL AND s.expires_at > \(bind: now.microseconds) AND u.active = 1
                """).first() else { return nil }
            let user = try UserRows.decode(row)
            let session = Session(id: try row.string("session_id"), userID: user.id, csrfToken: try row.string("csrf_token"),
                                  createdAt: try row.timestamp("session_created_at"), expiresAt: try row.timestamp("expires_at"),
                                  endedAt: try row.optionalTimestamp("ended_at"))
            return (session, user)
        }
    }

    public func endSession(id: String, in tx: WriteTransaction) async throws {
        try await tx.execute("UPDATE sessions SET ended_at = \(bind: tx.now().microseconds) WHERE id = \(bind: id) AND ended_at IS NULL")
    }

    public func needsFirstAdmin() async throws -> Bool {
        try await read { database in
            try await database.raw("""
                SELECT u.id FROM users u JOIN user_passwords p ON p.user_id = u.id
                WHERE u.role = 'admin' AND u.active = 1 LIMIT 1
                """).first() == nil
        }
    }
}
