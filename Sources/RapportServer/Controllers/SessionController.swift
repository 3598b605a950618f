import Hummingbird
import RapportCore
import RapportStore

/// `/v1/session`: people sign in with their email and password, and out again. Signing in sets
/// the session cookie the console uses and answers the CSRF token its unsafe requests must send;
/// other clients may send the session token as a bearer token instead.
struct SessionController<SignIn: SignInStore> {
    let signIn: SignIn
    let services: Services
    let sessions: SessionCache
    let hasher: PasswordHasher
    let throttle: SignInGuard

    /// Reached without credentials: signing in.
    func registerPublic(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "session", signInWithPassword)
    }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "session", show)
        routes.on(.delete, "session", signOut)
    }

    @Sendable func signInWithPassword(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let body = try await request.jsonBody(limit: 16_384).value
        let attempt = try SignInRequest.read(body, normalizer: services.normalizer)
        let now = Timestamp.now()
        if let wait = throttle.retryAfter(email: attempt.email, address: context.remoteAddress, at: now) {
            throw Problem(status: .tooManyRequests, type: "sign-in-throttled", title: "Too many failed sign-ins",
                          detail: "too many wrong passwords: try again in \(wait) seconds",
                          extra: ["retry_after": .integer(wait)], headers: [.retryAfter: String(wait)])
        }
        let stored = try await signIn.credentials(email: attempt.email)
        // bcrypt reads 72 bytes; no stored password is longer, so a longer one is wrong, not cut.
        let fits = attempt.password.utf8.count <= PasswordPolicy.maximumBytes
        guard try await hasher.verify(attempt.password, against: fits ? stored?.passwordHash : nil), fits, let user = stored?.0 else {
            throttle.failed(email: attempt.email, address: context.remoteAddress, at: now)
            throw Problem(status: .unauthorized, type: "sign-in-failed", title: "Sign-in failed",
                          detail: "the email address or the password is wrong")
        }
        throttle.succeeded(email: attempt.email)
        return try await startSession(for: user, request: request, cookie: attempt.cookie)
    }

    /// Starts a session for `user` and answers it with its cookie (also after a password setup).
    func startSession(for user: User, request: Request, cookie: Bool = true) async throws -> Response {
        let lifetime = Int64(services.configuration.sessionHours) * 3_600
        let issued = try await services.writer.write { tx in
            try await signIn.startSession(userID: user.id, lifetimeSeconds: lifetime, in: tx)
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        var body = Self.describe(issued.session, user: user).objectValue ?? [:]
        if cookie {
            headers[.setCookie] = SessionCookie.setting(issued.token, maxAgeSeconds: lifetime, secure: SessionCookie.isSecure(request))
        } else {
            body["token"] = .string(issued.token)
        }
        return .json(.object(body), status: .created, headers: headers)
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let (session, user) = try await currentSession(request, context: context)
        return .json(Self.describe(session, user: user), headers: [.cacheControl: "no-store"])
    }

    @Sendable func signOut(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let (session, _) = try await currentSession(request, context: context)
        try await services.writer.write { tx in try await signIn.endSession(id: session.id, in: tx) }
        sessions.forget(sessionID: session.id)
        return Response(status: .noContent, headers: [.setCookie: SessionCookie.clearing(secure: SessionCookie.isSecure(request))])
    }

    private func currentSession(_ request: Request, context: RapportRequestContext) async throws -> (Session, User) {
        let principal = try context.requirePrincipal()
        guard case .session(let id, _, _, let viaCookie) = principal.credential else {
            throw Problem(status: .notFound, type: "not-found", title: "Not found",
                          detail: "this request was made with an API key, not a session")
        }
        let token = viaCookie ? SessionCookie.token(in: request.headers[values: .cookie])
                              : request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) }
        guard let token, let found = try await sessions.lookup(token), found.0.id == id else {
            throw Problem.unauthorized("the session has ended or expired: sign in again")
        }
        return found
    }

    static func describe(_ session: Session, user: User) -> JSONValue {
        [
            "session_id": .string(session.id), "user": user.json, "csrf_token": .string(session.csrfToken),
            "expires_at": .string(session.expiresAt.rfc3339),
        ]
    }
}
