import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: authentication and API keys")
struct AccessTests {
    private func expectUnauthorized(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        expectProblem(reply, .unauthorized, type: "unauthorized", sourceLocation: sourceLocation)
        #expect(reply.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "WWW-Authenticate: \(reply.headers[.wwwAuthenticate] ?? "none")",
                sourceLocation: sourceLocation)
    }

    @Test("401 without, with a malformed and with an unknown key", arguments: Backend.available)
    func unauthenticated(backend: Backend) async throws {
        try await withApp(backend) { api, adminKey in
            expectUnauthorized(try await api.get("/v1/customers", auth: .none))
            expectUnauthorized(try await api.get("/v1/customers", auth: .bearer("rpk_not-a-real-key")))
            expectUnauthorized(try await api.get("/v1/customers", auth: .header("Basic \(adminKey)")))
            expectUnauthorized(try await api.get("/v1/customers", auth: .header("Bearer")))
            expectUnauthorized(try await api.post("/v1/customers", ["name": "Nobody"], auth: .none))
            // Nothing was created by the refused write.
            #expect(try await api.allCustomers().isEmpty)
            #expect(try await api.get("/v1/customers").status == .ok)
        }
    }

    @Test("a revoked key is refused at once", arguments: Backend.available)
    func revokedKey(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let key = try await api.createKey(role: "agent")
            #expect(try await api.get("/v1/customers", auth: .bearer(key.secret)).status == .ok)
            let revoke = try await api.delete("/v1/api-keys/\(key.id)")
            #expect(revoke.status == .ok, "\(revoke.text)")
            #expect(revoke.json["revoked_at"]?.stringValue != nil)
            expectUnauthorized(try await api.get("/v1/customers", auth: .bearer(key.secret)))
            // The admin key still works.
            #expect(try await api.get("/v1/customers").status == .ok)
        }
    }

    @Test("a viewer key reads but may not write", arguments: Backend.available)
    func viewerIsReadOnly(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let viewer = try await api.createKey(role: "viewer", name: "dashboard")
            let existing = try await api.createCustomer(["name": "Ana Lima", "emails": ["ana@example.com"]])
            let id = try #require(existing["id"]?.stringValue)
            let head = try await api.eventHead()

            #expect(try await api.get("/v1/customers", auth: .bearer(viewer.secret)).status == .ok)
            #expect(try await api.get("/v1/customers/\(id)", auth: .bearer(viewer.secret)).status == .ok)
            #expect(try await api.get("/v1/events?after=0", auth: .bearer(viewer.secret)).status == .ok)

            expectProblem(try await api.post("/v1/customers", ["name": "Bo"], auth: .bearer(viewer.secret)), .forbidden, type: "forbidden")
            expectProblem(try await api.patch("/v1/customers/\(id)", ["name": "Changed"], auth: .bearer(viewer.secret)),
                          .forbidden, type: "forbidden")
            expectProblem(try await api.delete("/v1/customers/\(id)", auth: .bearer(viewer.secret)), .forbidden, type: "forbidden")
            expectProblem(try await api.post("/v1/api-keys", ["name": "escalate", "role": "admin"], auth: .bearer(viewer.secret)),
                          .forbidden, type: "forbidden")
            expectProblem(try await api.post("/v1/channels", ["kind": "web", "name": "Shop"], auth: .bearer(viewer.secret)),
                          .forbidden, type: "forbidden")

            #expect(try await api.eventHead() == head)
            #expect(try await api.allCustomers().count == 1)
            #expect(try await api.get("/v1/customers/\(id)").json["name"]?.stringValue == "Ana Lima")
        }
    }

    @Test("the secret is shown once and never listed", arguments: Backend.available)
    func secretShownOnce(backend: Backend) async throws {
        try await withApp(backend) { api, adminKey in
            let created = try await api.post("/v1/api-keys", ["name": "crm sync", "role": "agent"])
            #expect(created.status == .created)
            let secret = try #require(created.json["secret"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(secret.hasPrefix("rpk_"))
            #expect(created.json["role"]?.stringValue == "agent")
            #expect(created.headers[.location] == "/v1/api-keys/\(id)")
            if let prefix = created.json["prefix"]?.stringValue {
                #expect(secret.hasPrefix(prefix))
                #expect(prefix.count < secret.count)
            }

            let list = try await api.get("/v1/api-keys")
            #expect(list.status == .ok)
            #expect(list.items.count == 2)
            #expect(list.items.contains { $0["id"]?.stringValue == id })
            for key in list.items {
                #expect(key["secret"] == nil)
                #expect(key["secret_hash"] == nil)
            }
            #expect(!list.text.contains(secret))
            #expect(!list.text.contains(adminKey))

            expectProblem(try await api.post("/v1/api-keys", ["name": "x", "role": "root"]), .unprocessableContent, field: "role")
            expectProblem(try await api.post("/v1/api-keys", ["role": "agent"]), .unprocessableContent, field: "name")
            expectProblem(try await api.post("/v1/api-keys", ["name": "x", "role": "agent", "department_id": "dep_missing"]),
                          .unprocessableContent, field: "department_id")
            #expect(try await api.get("/v1/api-keys").items.count == 2)
            expectProblem(try await api.delete("/v1/api-keys/key_missing"), .notFound)

            // Revoking shows the key without its secret as well.
            let revoked = try await api.delete("/v1/api-keys/\(id)")
            #expect(revoked.json["secret"] == nil)
            #expect(!revoked.text.contains(secret))
        }
    }

    @Test("an agent key may not manage keys or users")
    func agentCannotManageAccess() async throws {
        try await withApp { api, _ in
            let agent = try await api.createKey(role: "agent")
            expectProblem(try await api.get("/v1/api-keys", auth: .bearer(agent.secret)), .forbidden)
            expectProblem(try await api.post("/v1/users", ["email": "x@example.com", "name": "X", "role": "agent"],
                                             auth: .bearer(agent.secret)), .forbidden)
            // It may write customers.
            #expect(try await api.post("/v1/customers", ["name": "Allowed"], auth: .bearer(agent.secret)).status == .created)
        }
    }

    @Test("operations routes need no key")
    func operationsArePublic() async throws {
        try await withApp { api, _ in
            let live = try await api.get("/health/live", auth: .none)
            let metrics = try await api.get("/metrics", auth: .none)
            #expect(live.status == .ok)
            #expect(metrics.status == .ok)
        }
    }
}
