extension Migrations {
    /// People sign in to the console: password hashes (bcrypt), sessions and one-time password
    /// setup links. Tokens are stored as SHA-256 hashes only.
    static let signIn = Migration(version: 8, name: "passwords, sessions and password setup links", statements: { _ in
        [
            """
            CREATE TABLE user_passwords (
                user_id TEXT PRIMARY KEY REFERENCES users(id), password_hash TEXT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES users(id),
                csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, ended_at BIGINT)
            """,
            "CREATE INDEX sessions_by_user ON sessions (user_id, ended_at)",
            """
            CREATE TABLE password_setups (
                id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user_id TEXT REFERENCES users(id),
                created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)
            """,
        ]
    })
}
