import RapportCore

/// Passwords, sessions and password setup links: how people (not API keys) sign in.
///
/// Password hashes are made and checked by the caller (slowly, off the writer); this area only
/// keeps them. Tokens reach it in clear once, when made, and are stored hashed.
public protocol SignInStore: Sendable {
    /// The active user with this email and their password hash, or nil when there is none (or
    /// they have no password yet).
    func credentials(email: String) async throws -> (User, passwordHash: String)?

    /// Starts a session for an active user; the token is returned once.
    func startSession(userID: String, lifetimeSeconds: Int64, in tx: WriteTransaction) async throws -> IssuedSession

    /// The active session whose token this is, with its user (active), or nil.
    func session(token: String) async throws -> (Session, User)?

    /// Ends a session (sign-out); ending one already ended changes nothing.
    func endSession(id: String, in tx: WriteTransaction) async throws

    /// Makes a one-time link for `userID` (an invitation), or for the first admin when nil.
    func createPasswordSetup(userID: String?, lifetimeSeconds: Int64, actor: Actor, in tx: WriteTransaction) async throws -> IssuedPasswordSetup

    /// The usable setup this token names, with its user for an invitation; nil when unknown, used or expired.
    func passwordSetup(token: String) async throws -> (PasswordSetup, User?)?

    /// Uses a setup link: marks it used, creates the first admin if it is theirs, stores the
    /// password hash and ends the user's other sessions. 404 when the link cannot be used.
    func completePasswordSetup(token: String, passwordHash: String, email: String?, name: String?,
                               actor: Actor, in tx: WriteTransaction) async throws -> User

    /// Whether no active admin can sign in yet (first start prints a setup link then).
    func needsFirstAdmin() async throws -> Bool
}

/// A new session: the token exists only here and in the browser's cookie.
public struct IssuedSession: Sendable {
    public var session: Session
    public var token: String
}

/// A new password setup link's token, shown once.
public struct IssuedPasswordSetup: Sendable {
    public var setup: PasswordSetup
    public var token: String
}

/// The SQL implementation of `SignInStore`.
public struct SQLSignInStore: SignInStore, StoreArea {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }
}
