import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore
import Synchronization

/// Active sessions, kept briefly so that each console request does not read the session table.
///
/// Sign-out through this process takes effect at once; through another node within `ttl`. A
/// user's role and department are those read with the session, so a change reaches sessions
/// within `ttl` too.
final class SessionCache: Sendable {
    private struct Entry {
        var session: Session
        var user: User
        var checked: ContinuousClock.Instant
    }

    private let signIn: any SignInStore
    private let ttl: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(signIn: any SignInStore, ttl: Duration = .seconds(5)) {
        self.signIn = signIn
        self.ttl = ttl
    }

    func principal(for token: String, viaCookie: Bool) async throws -> Principal? {
        guard let (session, user) = try await lookup(token) else { return nil }
        return Principal(credential: .session(id: session.id, userID: user.id, csrfToken: session.csrfToken, viaCookie: viaCookie),
                         role: user.role, departmentID: user.departmentID)
    }

    /// The active session and its user for `token`, or nil.
    func lookup(_ token: String) async throws -> (Session, User)? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[token] }), now - entry.checked < ttl,
           entry.session.isActive(at: Timestamp.now()) {
            return (entry.session, entry.user)
        }
        guard let (session, user) = try await signIn.session(token: token) else {
            entries.withLock { _ = $0.removeValue(forKey: token) }
            return nil
        }
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[token] = Entry(session: session, user: user, checked: now)
        }
        return (session, user)
    }

    func forget(sessionID: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.session.id != sessionID } }
    }
}

/// The console's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
/// request carries it), Secure when the request came over HTTPS through a proxy.
enum SessionCookie {
    static let name = "rapport_session"
    static let tokenPrefix = "rps_"

    /// The session token in the `Cookie` headers, if any.
    static func token(in headers: [String]) -> String? {
        for header in headers {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingHTTPSpace() == name else { continue }
                let value = String(parts[1].trimmingHTTPSpace())
                if value.hasPrefix(tokenPrefix), value.count <= 200 { return value }
            }
        }
        return nil
    }

    static func setting(_ token: String, maxAgeSeconds: Int64, secure: Bool) -> String {
        "\(name)=\(token); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static func clearing(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Whether the browser reached the server over HTTPS (a proxy in front says so).
    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
