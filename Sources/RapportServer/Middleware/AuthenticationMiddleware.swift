import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore
import Synchronization

/// Resolves the caller: `Authorization: Bearer <api key or session token>`, or the console's
/// session cookie; 401 otherwise. A request authenticated by the cookie must carry the session's
/// CSRF token in `X-CSRF-Token` when its method is unsafe (403 otherwise), since a page on another
/// site can make the browser send the cookie but cannot read the token.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = RapportRequestContext
    let keys: APIKeyCache
    let sessions: SessionCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal = try await Self.principal(authorization: request.headers[.authorization],
                                                 cookie: SessionCookie.token(in: request.headers[values: .cookie]),
                                                 keys: keys, sessions: sessions)
        if case .session(_, _, let csrfToken, true) = principal.credential, !request.method.isSafe {
            guard let sent = request.headers[.csrfToken], ConstantTime.equal(sent, csrfToken) else {
                throw Problem(status: .forbidden, type: "csrf-token-missing", title: "CSRF token missing or wrong",
                              detail: "a request made with the session cookie must send the session's csrf_token in X-CSRF-Token")
            }
        }
        context.principal = principal
        return try await next(request, context)
    }

    /// The caller an `Authorization` header (or, without one, the session cookie) names; 401 when
    /// it names none. WebSocket handshakes, decided below the router, authenticate through this too.
    static func principal(authorization header: String?, cookie: String? = nil, keys: APIKeyCache,
                          sessions: SessionCache? = nil) async throws -> Principal {
        guard let header else {
            if let cookie, let sessions {
                guard let principal = try await sessions.principal(for: cookie, viaCookie: true) else {
                    throw Problem.unauthorized("the session has ended or expired: sign in again")
                }
                return principal
            }
            throw Problem.unauthorized("send Authorization: Bearer <api key>, or sign in")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must use the Bearer scheme")
        }
        let secret = String(parts[1].trimmingHTTPSpace())
        guard secret.count <= 200 else { throw Problem.unauthorized("the API key is not valid or was revoked") }
        if secret.hasPrefix(SessionCookie.tokenPrefix), let sessions {
            guard let principal = try await sessions.principal(for: secret, viaCookie: false) else {
                throw Problem.unauthorized("the session has ended or expired: sign in again")
            }
            return principal
        }
        guard let principal = try await keys.principal(for: secret) else {
            throw Problem.unauthorized("the API key is not valid or was revoked")
        }
        return principal
    }
}

extension HTTPRequest.Method {
    /// GET, HEAD and OPTIONS change nothing, so they need no CSRF token.
    var isSafe: Bool { self == .get || self == .head || self == .options }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}

/// Compares secrets in time that does not depend on where they differ.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
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
