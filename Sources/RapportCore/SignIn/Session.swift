/// A person signed in to the console (or any client that signs in as a person): the browser
/// holds the token in an HttpOnly cookie; only its hash is stored.
public struct Session: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// Sent back by the page in `X-CSRF-Token` on every unsafe request made with the cookie: a
    /// page on another site can make the browser send the cookie, but cannot read this.
    public var csrfToken: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var endedAt: Timestamp?

    public init(id: String, userID: String, csrfToken: String, createdAt: Timestamp, expiresAt: Timestamp, endedAt: Timestamp? = nil) {
        self.id = id
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
    }

    /// Whether the session may still be used at `time`.
    public func isActive(at time: Timestamp) -> Bool {
        endedAt == nil && time < expiresAt
    }
}

/// A one-time link to choose a password: the first admin's, printed at first start, or an
/// invited user's, made by an admin. Only the token's hash is stored.
public struct PasswordSetup: Sendable, Equatable {
    public var id: String
    /// The invited user; nil for the first admin, who names themselves when using the link.
    public var userID: String?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var usedAt: Timestamp?

    public init(id: String, userID: String?, createdAt: Timestamp, expiresAt: Timestamp, usedAt: Timestamp? = nil) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    public var isFirstAdmin: Bool { userID == nil }

    public func isUsable(at time: Timestamp) -> Bool {
        usedAt == nil && time < expiresAt
    }
}
