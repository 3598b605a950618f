import RapportCore
import SQLKit

extension SQLSignInStore {
    public func createPasswordSetup(userID: String?, lifetimeSeconds: Int64, actor: Actor,
                                    in tx: WriteTransaction) async throws -> IssuedPasswordSetup {
        if let userID {
            guard let user = try await UserRows.find(id: userID, on: tx.database) else {
                throw StoreError(.invalidReference, "user \(userID) does not exist", field: "user_id")
            }
            guard user.active else { throw StoreError(.invalidReference, "user \(userID) is deactivated", field: "user_id") }
        }
        let now = tx.now()
        let token = APIKeySecret.generate(prefix: "rpw_")
        let setup = PasswordSetup(id: tx.newID("pws"), userID: userID, createdAt: now,
                                  expiresAt: Timestamp(microseconds: now.microseconds + lifetimeSeconds * 1_000_000))
        try await tx.execute("""
            INSERT INTO password_setups (id, token_hash, user_id, created_at, expires_at)
            VALUES (\(bind: setup.id), \(bind: APIKeySecret.hash(token)), \(bind: userID), \(bind: now.microseconds),
                    \(bind: setup.expiresAt.microseconds))
            """)
        return IssuedPasswordSetup(setup: setup, token: token)
    }

    public func passwordSetup(token: String) async throws -> (PasswordSetup, User?)? {
        let hash = APIKeySecret.hash(token)
        let now = clock()
        return try await read { database in
            guard let row = try await database.raw("SELECT * FROM password_setups WHERE token_hash = \(bind: hash)").first() else {
                return nil
            }
            let setup = try PasswordSetupRows.decode(row)
            guard setup.isUsable(at: now) else { return nil }
            guard let userID = setup.userID else { return (setup, nil) }
            guard let user = try await UserRows.find(id: userID, on: database), user.active else { return nil }
            return (setup, user)
        }
    }

    public func completePasswordSetup(token: String, passwordHash: String, email: String?, name: String?,
                                      actor: Actor, in tx: WriteTransaction) async throws -> User {
        let unusable = StoreError(.notFound, "this password setup link is unknown, used or expired", field: "token")
        // Locked on PostgreSQL, so two uses of one link on two nodes cannot both succeed.
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("""
            SELECT * FROM password_setups WHERE token_hash = \(bind: APIKeySecret.hash(token))\(lock)
            """) else { throw unusable }
        let setup = try PasswordSetupRows.decode(row)
        guard setup.isUsable(at: tx.now()) else { throw unusable }
        let user: User
        if let userID = setup.userID {
            guard let invited = try await UserRows.find(id: userID, on: tx.database), invited.active else { throw unusable }
            user = invited
        } else {
            guard let email else { throw StoreError(.invalidReference, "the first admin needs an email address to sign in with", field: "email") }
            guard let name else { throw StoreError(.invalidReference, "the first admin needs a name", field: "name") }
            user = try await store.organization.insertUser(UserChanges(email: email, name: name, role: .admin), actor: actor, in: tx)
        }
        let now = tx.now().microseconds
        try await tx.execute("UPDATE password_setups SET used_at = \(bind: now) WHERE id = \(bind: setup.id)")
        try await tx.execute("DELETE FROM user_passwords WHERE user_id = \(bind: user.id)")
        try await tx.execute("""
            INSERT INTO user_passwords (user_id, password_hash, updated_at) VALUES (\(bind: user.id), \(bind: passwordHash), \(bind: now))
            """)
        // A new password ends every session made with the old one.
        try await tx.execute("UPDATE sessions SET ended_at = \(bind: now) WHERE user_id = \(bind: user.id) AND ended_at IS NULL")
        return user
    }
}

enum PasswordSetupRows {
    static func decode(_ row: any SQLRow) throws -> PasswordSetup {
        PasswordSetup(id: try row.string("id"), userID: try row.optionalString("user_id"), createdAt: try row.timestamp("created_at"),
                      expiresAt: try row.timestamp("expires_at"), usedAt: try row.optionalTimestamp("used_at"))
    }
}
