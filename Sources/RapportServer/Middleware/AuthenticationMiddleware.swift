import Hummingbird
import RapportCore
import RapportStore
import Synchronization

/// Resolves `Authorization: Bearer <key>` to the calling principal; 401 otherwise.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RapportRequestContext
    let keys: APIKeyCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try await Self.principal(authorization: request.headers[.authorization], keys: keys)
        return try await next(request, context)
    }

    /// The caller an `Authorization` header names; 401 when it names none. WebSocket handshakes,
    /// decided below the router, authenticate through this too.
    static func principal(authorization header: String?, keys: APIKeyCache) async throws -> Principal {
        guard let header else {
            throw Problem.unauthorized("send Authorization: Bearer <api key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must use the Bearer scheme")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard secret.count <= 200, let principal = try await keys.principal(for: secret) else {
            throw Problem.unauthorized("the API key is not valid or was revoked")
        }
        return principal
    }
}

/// Verified keys, kept briefly so that each request does not read the key table.
///
/// Revocation through this process takes effect at once; through another node within `ttl`.
final class APIKeyCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expires: ContinuousClock.Instant
    }

    private let access: any AccessStore
    private let ttl: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(access: any AccessStore, ttl: Duration = .seconds(10)) {
        self.access = access
        self.ttl = ttl
    }

    func principal(for secret: String) async throws -> Principal? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[secret] }), entry.expires > now { return entry.principal }
        guard let key = try await access.authenticate(secret: secret) else { return nil }
        let principal = Principal(keyID: key.id, role: key.role, departmentID: key.departmentID)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[secret] = Entry(principal: principal, expires: now + ttl)
        }
        return principal
    }

    func forget(keyID: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.principal.keyID != keyID } }
    }
}
