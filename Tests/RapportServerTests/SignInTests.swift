import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// People sign in to the console: the first admin's link, invitations, sessions in cookies with
/// CSRF protection, sign-out and the throttle on wrong passwords.
@Suite("HTTP: signing in")
struct SignInTests {
    static let password = "correct horse battery"

    /// A person signed in through a cookie: what the browser holds and what the page was told.
    struct Browser {
        var cookie: String
        var csrfToken: String
        var userID: String

        var headers: HTTPFields { [.cookie: "rapport_session=\(cookie)"] }
        var unsafeHeaders: HTTPFields { [.cookie: "rapport_session=\(cookie)", HTTPField.Name("X-CSRF-Token")!: csrfToken] }
    }

    static func token(inLink link: String?) throws -> String {
        let link = try #require(link, "the first admin link was not announced")
        #expect(link.hasPrefix("/#/setup?token=rpw_"))
        return String(try #require(link.split(separator: "=", maxSplits: 1).last))
    }

    /// The session cookie a 201 set, checked for its protections.
    static func browser(from reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) throws -> Browser {
        try #require(reply.status == .created, "\(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        let setCookie = try #require(reply.headers[.setCookie], sourceLocation: sourceLocation)
        #expect(setCookie.contains("HttpOnly"), sourceLocation: sourceLocation)
        #expect(setCookie.contains("SameSite=Strict"), sourceLocation: sourceLocation)
        #expect(reply.json["token"] == nil, "a cookie session's token must not reach script", sourceLocation: sourceLocation)
        let cookie = try #require(setCookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last, sourceLocation: sourceLocation)
        return Browser(cookie: String(cookie), csrfToken: try #require(reply.json["csrf_token"]?.stringValue, sourceLocation: sourceLocation),
                       userID: try #require(reply.json["user"]?["id"]?.stringValue, sourceLocation: sourceLocation))
    }

    static func firstAdmin(_ api: API) async throws -> Browser {
        let token = try token(inLink: api.firstAdminLink)
        let done = try await api.post("/v1/password-setups/complete",
                                      ["token": .string(token), "password": .string(password), "email": "ada@example.com", "name": "Ada Admin"],
                                      auth: .none)
        return try browser(from: done)
    }

    @Test("the first admin chooses a password through the link printed at start, once, and is signed in",
          arguments: Backend.available)
    func firstAdminLink(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let token = try Self.token(inLink: api.firstAdminLink)
            let inspected = try await api.post("/v1/password-setups/inspect", ["token": .string(token)], auth: .none)
            #expect(inspected.status == .ok, "\(inspected.text)")
            #expect(inspected.json["first_admin"] == .bool(true))

            let short = try await api.post("/v1/password-setups/complete", ["token": .string(token), "password": "too short",
                                                                            "email": "ada@example.com", "name": "Ada"], auth: .none)
            #expect(short.status == .unprocessableContent)
            #expect(short.errorFields == ["password"])
            let nameless = try await api.post("/v1/password-setups/complete", ["token": .string(token), "password": .string(Self.password)],
                                              auth: .none)
            #expect(nameless.status == .unprocessableContent)
            #expect(Set(nameless.errorFields) == ["email", "name"])

            let done = try await api.post("/v1/password-setups/complete",
                                          ["token": .string(token), "password": .string(Self.password), "email": "Ada@Example.com",
                                           "name": "Ada Admin"], auth: .none)
            let browser = try Self.browser(from: done)
            #expect(done.json["user"]?["email"]?.stringValue == "ada@example.com")
            #expect(done.json["user"]?["role"]?.stringValue == "admin")
            let me = try await api.get("/v1/session", auth: .none, headers: browser.headers)
            #expect(me.status == .ok)
            #expect(me.json["user"]?["id"]?.stringValue == browser.userID)
            #expect(me.json["csrf_token"]?.stringValue == browser.csrfToken)

            let again = try await api.post("/v1/password-setups/complete",
                                           ["token": .string(token), "password": .string(Self.password), "email": "eve@example.com",
                                            "name": "Eve"], auth: .none)
            #expect(again.status == .notFound)
            #expect(try await api.post("/v1/password-setups/inspect", ["token": .string(token)], auth: .none).status == .notFound)

            let signedIn = try await api.post("/v1/session", ["email": "ada@example.com", "password": .string(Self.password)], auth: .none)
            _ = try Self.browser(from: signedIn)
        }
    }

    @Test("with the session cookie, unsafe requests need the CSRF token; safe ones and bearer sessions do not")
    func csrf() async throws {
        try await withApp { api, _ in
            let browser = try await Self.firstAdmin(api)
            let body: JSONValue = ["key": "billing", "name": "Billing"]
            let forged = try await api.request(.post, "/v1/departments", json: body, auth: .none, headers: browser.headers)
            #expect(forged.status == .forbidden)
            #expect(forged.json["type"]?.stringValue?.hasSuffix("csrf-token-missing") == true)
            var wrong = browser.unsafeHeaders
            wrong[HTTPField.Name("X-CSRF-Token")!] = String(browser.csrfToken.reversed())
            #expect(try await api.request(.post, "/v1/departments", json: body, auth: .none, headers: wrong).status == .forbidden)
            #expect(try await api.get("/v1/departments", auth: .admin).items.allSatisfy { $0["key"]?.stringValue != "billing" },
                    "a refused request must change nothing")
            let made = try await api.request(.post, "/v1/departments", json: body, auth: .none, headers: browser.unsafeHeaders)
            #expect(made.status == .created, "\(made.text)")
            #expect(try await api.get("/v1/departments", auth: .none, headers: browser.headers).status == .ok)

            // A program signs in for a bearer token instead: no cookie, no CSRF token needed.
            let program = try await api.post("/v1/session", ["email": "ada@example.com", "password": .string(Self.password),
                                                             "cookie": false], auth: .none)
            #expect(program.status == .created)
            #expect(program.headers[.setCookie] == nil)
            let token = try #require(program.json["token"]?.stringValue)
            let viaBearer = try await api.post("/v1/departments", ["key": "legal", "name": "Legal"], auth: .bearer(token))
            #expect(viaBearer.status == .created, "\(viaBearer.text)")
            let events = try await api.events()
            let created = events.last { $0["type"]?.stringValue == "rapport.department.created" }
            #expect(created?["data"]?["actor"]?["type"]?.stringValue == "user")
            #expect(created?["data"]?["actor"]?["id"]?.stringValue == browser.userID)
        }
    }

    @Test("signing out ends the session: the same cookie is refused afterwards", arguments: Backend.available)
    func signOut(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let browser = try await Self.firstAdmin(api)
            #expect(try await api.get("/v1/customers", auth: .none, headers: browser.headers).status == .ok)
            #expect(try await api.delete("/v1/session", auth: .none, headers: browser.headers).status == .forbidden,
                    "signing out is unsafe: it needs the CSRF token too")
            let out = try await api.delete("/v1/session", auth: .none, headers: browser.unsafeHeaders)
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await api.get("/v1/session", auth: .none, headers: browser.headers).status == .unauthorized)
            #expect(try await api.get("/v1/customers", auth: .none, headers: browser.headers).status == .unauthorized)
            #expect(try await api.get("/v1/customers", auth: .none).status == .unauthorized)
        }
    }

    @Test("ten wrong passwords throttle further attempts, even with the right password")
    func throttle() async throws {
        try await withApp { api, _ in
            _ = try await Self.firstAdmin(api)
            for attempt in 1...10 {
                let wrong = try await api.post("/v1/session", ["email": "ada@example.com", "password": .string("not the password \(attempt)")],
                                               auth: .none)
                #expect(wrong.status == .unauthorized, "attempt \(attempt): \(wrong.status)")
            }
            let right = try await api.post("/v1/session", ["email": "ada@example.com", "password": .string(Self.password)], auth: .none)
            #expect(right.status == .tooManyRequests)
            let wait = try #require(right.headers[.retryAfter].flatMap { Int($0) })
            #expect(wait > 0 && wait <= 60)
            #expect(right.headers[.setCookie] == nil)
            // An unknown address is refused exactly like a wrong password.
            let unknown = try await api.post("/v1/session", ["email": "nobody@example.com", "password": .string(Self.password)], auth: .none)
            #expect(unknown.status == .unauthorized)
            #expect(unknown.json["detail"]?.stringValue == "the email address or the password is wrong")
        }
    }

    @Test("an admin invites a user with a link; the user signs in with the user's role", arguments: Backend.available)
    func invitation(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let user = try await api.post("/v1/users", ["email": "li.wei@example.com", "name": "李伟", "role": "agent"])
            let userID = try #require(user.json["id"]?.stringValue, "\(user.text)")
            let invite = try await api.post("/v1/password-setups", ["user_id": .string(userID)])
            #expect(invite.status == .created, "\(invite.text)")
            let token = try #require(invite.json["token"]?.stringValue)
            #expect(invite.json["link"]?.stringValue == "/#/setup?token=\(token)")
            #expect(try await api.post("/v1/password-setups", ["user_id": "usr_missing"]).status == .unprocessableContent)

            let inspected = try await api.post("/v1/password-setups/inspect", ["token": .string(token)], auth: .none)
            #expect(inspected.json["first_admin"] == .bool(false))
            #expect(inspected.json["name"]?.stringValue == "李伟")
            let done = try await api.post("/v1/password-setups/complete", ["token": .string(token), "password": "密码是一句很长很长的中文句子"],
                                          auth: .none)
            let browser = try Self.browser(from: done)
            #expect(browser.userID == userID)
            #expect(done.json["user"]?["role"]?.stringValue == "agent")
            let forbidden = try await api.request(.post, "/v1/api-keys", json: ["name": "mine", "role": "admin"], auth: .none,
                                                  headers: browser.unsafeHeaders)
            #expect(forbidden.status == .forbidden)
            // Deactivating the user ends what their sessions may do.
            #expect(try await api.patch("/v1/users/\(userID)", ["active": false]).status == .ok)
            let refused = try await api.post("/v1/session", ["email": "li.wei@example.com", "password": "密码是一句很长很长的中文句子"], auth: .none)
            #expect(refused.status == .unauthorized)
        }
    }
}
