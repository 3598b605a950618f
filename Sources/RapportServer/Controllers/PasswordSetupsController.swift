import Hummingbird
import RapportCore
import RapportStore

/// `/v1/password-setups`: one-time links to choose a password. An admin makes one for a user
/// (an invitation); the first start makes one for the first admin. Using a link signs the person in.
struct PasswordSetupsController<SignIn: SignInStore> {
    let signIn: SignIn
    let services: Services
    let sessions: SessionController<SignIn>
    let hasher: PasswordHasher

    /// How long an invitation link works.
    static var invitationSeconds: Int64 { 7 * 24 * 3_600 }

    /// Reached without credentials: the token is the credential.
    func registerPublic(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "password-setups/inspect", inspect)
        routes.on(.post, "password-setups/complete", complete)
    }

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "password-setups", create)
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        var reader = try InputReader(try await request.jsonBody(limit: 16_384).value)
        let userID = reader.string("user_id", required: true, maxLength: 64)
        try reader.finish()
        let issued = try await services.writer.write { tx in
            try await signIn.createPasswordSetup(userID: userID, lifetimeSeconds: Self.invitationSeconds, actor: principal.actor, in: tx)
        }
        return .json([
            "id": .string(issued.setup.id), "user_id": .string(userID!), "token": .string(issued.token),
            "link": .string(Self.link(issued.token)), "expires_at": .string(issued.setup.expiresAt.rfc3339),
        ], status: .created, headers: [.cacheControl: "no-store"])
    }

    @Sendable func inspect(_ request: Request, context: RapportRequestContext) async throws -> Response {
        var reader = try InputReader(try await request.jsonBody(limit: 16_384).value)
        let token = reader.string("token", required: true, maxLength: 200)
        try reader.finish()
        guard let (setup, user) = try await signIn.passwordSetup(token: token!) else { throw Self.unusable }
        return .json([
            "first_admin": .bool(setup.isFirstAdmin), "email": user.map { .string($0.email) } ?? .null,
            "name": user.map { .string($0.name) } ?? .null, "expires_at": .string(setup.expiresAt.rfc3339),
        ], headers: [.cacheControl: "no-store"])
    }

    @Sendable func complete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let completion = try PasswordSetupCompletion.read(try await request.jsonBody(limit: 16_384).value,
                                                          normalizer: services.normalizer)
        // Checked before the slow hash, and again inside the write.
        guard let (setup, _) = try await signIn.passwordSetup(token: completion.token) else { throw Self.unusable }
        if setup.isFirstAdmin {
            var failure = ValidationFailure([])
            if completion.email == nil { failure.issues.append(FieldIssue(field: "email", message: "is required for the first admin")) }
            if completion.name == nil { failure.issues.append(FieldIssue(field: "name", message: "is required for the first admin")) }
            if !failure.issues.isEmpty { throw failure }
        }
        let hash = try await hasher.hash(completion.password)
        let user = try await services.writer.write { tx in
            try await signIn.completePasswordSetup(token: completion.token, passwordHash: hash, email: completion.email,
                                                   name: completion.name, actor: .system, in: tx)
        }
        return try await sessions.startSession(for: user, request: request)
    }

    static var unusable: Problem {
        Problem(status: .notFound, type: "not-found", title: "Not found", detail: "this password setup link is unknown, used or expired",
                issues: [FieldIssue(field: "token", message: "is unknown, used or expired")])
    }

    /// The console's page for a setup token, relative to the server's address.
    static func link(_ token: String) -> String { "/#/setup?token=\(token)" }
}
