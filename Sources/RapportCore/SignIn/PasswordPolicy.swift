/// What a password must be (lengths in code points, as everywhere): long enough to resist guessing, short enough for bcrypt, which reads
/// only the first 72 bytes (a longer one would be cut silently, so it is refused instead).
public enum PasswordPolicy {
    public static let minimumCharacters = 12
    public static let maximumBytes = 72

    /// The problem with `password`, or nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.unicodeScalars.count < minimumCharacters { return "must have at least \(minimumCharacters) characters" }
        if password.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes in UTF-8" }
        if password.unicodeScalars.contains(where: { $0.value == 0 }) { return "must not contain NUL characters" }
        return nil
    }
}

/// Validated fields of a sign-in.
public struct SignInRequest: Sendable, Equatable {
    public var email: String
    public var password: String
    /// True (the default, for browsers): the session travels in an HttpOnly cookie and the token
    /// is never shown to script. False: no cookie; the token is answered once, for a program to
    /// send as a bearer token.
    public var cookie: Bool

    public static func read(_ value: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> SignInRequest {
        var reader = try InputReader(value)
        let email = reader.string("email", required: true, maxLength: 254)
        let password = reader.secret("password")
        let cookie = reader.bool("cookie") ?? true
        try reader.finish()
        // An address that does not normalise cannot belong to a user: it fails like a wrong password.
        let normalized = (try? normalizer.normalizeEmail(email!)) ?? email!
        return SignInRequest(email: normalized, password: password!, cookie: cookie)
    }
}

/// Validated fields for using a password setup link.
public struct PasswordSetupCompletion: Sendable, Equatable {
    public var token: String
    public var password: String
    /// Only for the first admin, who has no user yet.
    public var email: String?
    public var name: String?

    public static func read(_ value: JSONValue, normalizer: IdentityNormalizer) throws(ValidationFailure) -> PasswordSetupCompletion {
        var reader = try InputReader(value)
        let token = reader.string("token", required: true, maxLength: 200)
        let password = reader.secret("password")
        var email = reader.string("email", maxLength: 254)
        let name = reader.string("name", maxLength: 200)
        if let raw = email {
            do throws(IdentityError) {
                email = try normalizer.normalizeEmail(raw)
            } catch {
                reader.fail("email", error.message)
            }
        }
        if let password, let problem = PasswordPolicy.problem(with: password) { reader.fail("password", problem) }
        try reader.finish()
        return PasswordSetupCompletion(token: token!, password: password!, email: email, name: name)
    }
}
