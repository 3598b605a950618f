import HTTPTypes
import RapportCore
import RapportStore
import SQLKit
import RapportTestSupport
import Testing

@Suite("HTTP: departments, channels and users")
struct OrganizationTests {
    @Test("the four departments are seeded and can be edited", arguments: Backend.available)
    func departments(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let list = try await api.get("/v1/departments")
            #expect(list.status == .ok)
            let keys = Set(list.items.compactMap { $0["key"]?.stringValue })
            #expect(keys == ["sales", "marketing", "service", "finance"])
            #expect(list.json["next_cursor"] == .null)

            let service = try #require(list.items.first { $0["key"]?.stringValue == "service" })
            let id = try #require(service["id"]?.stringValue)
            let shown = try await api.get("/v1/departments/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json["key"]?.stringValue == "service")

            let head = try await api.eventHead()
            let renamed = try await api.patch("/v1/departments/\(id)", ["name": "Customer Care", "description": nil])
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(renamed.json["name"]?.stringValue == "Customer Care")
            #expect(renamed.json["description"] == .null)
            #expect(renamed.json["key"]?.stringValue == "service")
            let again = try await api.get("/v1/departments/\(id)")
            #expect(again.json["name"]?.stringValue == "Customer Care")
            #expect(again.json["description"] == .null)
            let events = try await api.events(after: head)
            #expect(events.map { $0["type"]?.stringValue } == ["rapport.department.updated"])

            // A key already in use is a conflict.
            expectProblem(try await api.patch("/v1/departments/\(id)", ["key": "sales"]), .conflict, field: "key")
            expectProblem(try await api.post("/v1/departments", ["key": "finance", "name": "Money"]), .conflict, field: "key")

            // A new department, then removed.
            let created = try await api.post("/v1/departments", ["key": "partners", "name": "Partners"])
            #expect(created.status == .created, "\(created.text)")
            let newID = try #require(created.json["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/departments/\(newID)")
            #expect(try await api.get("/v1/departments").items.count == 5)
            #expect(try await api.delete("/v1/departments/\(newID)").status == .noContent)
            expectProblem(try await api.get("/v1/departments/\(newID)"), .notFound)
            #expect(try await api.get("/v1/departments").items.count == 4)
        }
    }

    @Test("a department whose last key was revoked can be deleted; one with queues is refused by name", arguments: Backend.available)
    func deleteDepartmentAfterRevokedKey(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let created = try await api.post("/v1/departments", ["key": "partners", "name": "Partners"])
            let id = try #require(created.json["id"]?.stringValue)
            let key = try await api.post("/v1/api-keys", ["name": "partner portal", "role": "agent", "department_id": .string(id)])
            #expect(key.status == .created, "\(key.text)")
            let keyID = try #require(key.json["id"]?.stringValue)
            expectProblem(try await api.delete("/v1/departments/\(id)"), .conflict)
            #expect(try await api.delete("/v1/api-keys/\(keyID)").status == .ok)
            let deleted = try await api.delete("/v1/departments/\(id)")
            #expect(deleted.status == .noContent, "\(deleted.text)")
            expectProblem(try await api.get("/v1/departments/\(id)"), .notFound)

            let other = try #require(try await api.post("/v1/departments", ["key": "events", "name": "Events"]).json["id"]?.stringValue)
            let queue = try await api.post("/v1/queues", ["department_id": .string(other), "key": "desk", "name": "Desk"])
            #expect(queue.status == .created, "\(queue.text)")
            let refused = try await api.delete("/v1/departments/\(other)")
            expectProblem(refused, .conflict)
            #expect(refused.text.contains("queues"))
        }
    }

    @Test("a stored value this version cannot read gives a 503 that does not echo it", arguments: Backend.available)
    func unreadableRowIsNotEchoed(backend: Backend) async throws {
        try await withApp(backend) { api, _, store in
            let id = try await api.createChannel(kind: "email", name: "Support mail")
            try await store.write { tx in try await tx.execute("UPDATE channels SET kind = 'pigeon-post-secret' WHERE id = \(bind: id)") }
            let reply = try await api.get("/v1/channels/\(id)")
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(!reply.text.contains("pigeon-post-secret"), "\(reply.text)")
        }
    }

    @Test("channels: create, read, list, update, delete", arguments: Backend.available)
    func channels(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            #expect(try await api.get("/v1/channels").items.isEmpty)
            let created = try await api.post("/v1/channels", ["kind": "email", "name": "Support mailbox",
                                                              "settings": ["address": "support@example.com"]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/channels/\(id)")
            #expect(created.json["kind"]?.stringValue == "email")
            #expect(created.json["settings"]?["address"]?.stringValue == "support@example.com")

            let web = try await api.createChannel(kind: "web", name: "Web shop")
            let list = try await api.get("/v1/channels")
            #expect(Set(list.items.compactMap { $0["id"]?.stringValue }) == [id, web])

            let shown = try await api.get("/v1/channels/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json["name"]?.stringValue == "Support mailbox")

            let updated = try await api.patch("/v1/channels/\(id)", ["name": "Help desk", "settings": ["address": "help@example.com"]])
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(updated.json["name"]?.stringValue == "Help desk")
            #expect(updated.json["kind"]?.stringValue == "email")
            #expect(try await api.get("/v1/channels/\(id)").json["settings"]?["address"]?.stringValue == "help@example.com")

            expectProblem(try await api.post("/v1/channels", ["kind": "pigeon", "name": "Birds"]), .unprocessableContent, field: "kind")
            expectProblem(try await api.post("/v1/channels", ["kind": "web"]), .unprocessableContent, field: "name")

            #expect(try await api.delete("/v1/channels/\(id)").status == .noContent)
            expectProblem(try await api.get("/v1/channels/\(id)"), .notFound, type: "not-found")
            expectProblem(try await api.delete("/v1/channels/\(id)"), .notFound)
            #expect(try await api.get("/v1/channels").items.compactMap { $0["id"]?.stringValue } == [web])
        }
    }

    @Test("users: create, update, and 409 on a duplicate email", arguments: Backend.available)
    func users(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let departments = try await api.get("/v1/departments").items
            let sales = try #require(departments.first { $0["key"]?.stringValue == "sales" }?["id"]?.stringValue)
            let finance = try #require(departments.first { $0["key"]?.stringValue == "finance" }?["id"]?.stringValue)

            let created = try await api.post("/v1/users", ["email": " Mara.Keller@Example.COM ", "name": "Mara Keller",
                                                           "role": "agent", "department_id": .string(sales)])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.stringValue)
            #expect(created.headers[.location] == "/v1/users/\(id)")
            #expect(created.json["email"]?.stringValue == "mara.keller@example.com")
            #expect(created.json["active"] == .bool(true))
            #expect(created.json["department_id"]?.stringValue == sales)

            let patched = try await api.patch("/v1/users/\(id)", ["name": "Mara K.", "role": "manager",
                                                                  "department_id": .string(finance), "active": false])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["name"]?.stringValue == "Mara K.")
            #expect(patched.json["role"]?.stringValue == "manager")
            #expect(patched.json["department_id"]?.stringValue == finance)
            #expect(patched.json["active"] == .bool(false))
            #expect(patched.json["email"]?.stringValue == "mara.keller@example.com")
            let shown = try await api.get("/v1/users/\(id)")
            #expect(shown.json == patched.json)

            let head = try await api.eventHead()
            let duplicate = try await api.post("/v1/users", ["email": "MARA.KELLER@example.com", "name": "Someone Else", "role": "viewer"])
            expectProblem(duplicate, .conflict, type: "conflict", field: "email")
            #expect(try await api.get("/v1/users").items.count == 1)
            #expect(try await api.eventHead() == head)

            // Changing another user's email to a taken one is a conflict too.
            let other = try await api.post("/v1/users", ["email": "leo@example.com", "name": "Leo", "role": "viewer"])
            let otherID = try #require(other.json["id"]?.stringValue)
            expectProblem(try await api.patch("/v1/users/\(otherID)", ["email": "mara.keller@example.com"]), .conflict, field: "email")
            #expect(try await api.get("/v1/users/\(otherID)").json["email"]?.stringValue == "leo@example.com")

            expectProblem(try await api.post("/v1/users", ["email": "no-at-sign", "name": "Bad", "role": "agent"]),
                          .unprocessableContent, field: "email")
            expectProblem(try await api.post("/v1/users", ["email": "ref@example.com", "name": "Bad", "role": "agent",
                                                           "department_id": "dep_missing"]),
                          .unprocessableContent, field: "department_id")
            #expect(try await api.get("/v1/users").items.count == 2)

            // A department with users cannot be deleted.
            expectProblem(try await api.delete("/v1/departments/\(finance)"), .conflict)
            #expect(try await api.get("/v1/departments/\(finance)").status == .ok)
            expectProblem(try await api.patch("/v1/users/usr_missing", ["name": "Nobody"]), .notFound)
        }
    }

    @Test("a channel goes with its mailbox's reading state; one with calls, mail or interactions is kept", arguments: Backend.available)
    func deleteChannelWithItsState(backend: Backend) async throws {
        try await withApp(backend) { api, _, store in
            // A mailbox that was never read but whose login failed has a reading state of its own.
            let unread = try await api.createChannel(kind: "email", name: "Inbox elsewhere")
            try await store.write { tx in try await store.mail.recordMailboxError(of: unread, "login refused", in: tx) }
            #expect(try await api.get("/v1/channels/\(unread)/mailbox").json["position"]?["last_error"]?.stringValue == "login refused")
            #expect(try await api.delete("/v1/channels/\(unread)").status == .noContent)
            expectProblem(try await api.get("/v1/channels/\(unread)"), .notFound)
            expectProblem(try await api.get("/v1/channels/\(unread)/mailbox"), .notFound)

            // A channel with an interaction is kept, and the refusal says why.
            let used = try await api.createChannel(kind: "web", name: "Site")
            let customer = try await api.createCustomer(["name": "Ana", "identities": ["email:ana@example.com"]])
            _ = try await api.post("/v1/interactions", ["channel_id": .string(used), "customer_id": customer["id"] ?? .null,
                                                        "direction": "inbound", "kind": "message", "body": "Hi"])
            let refused = try await api.delete("/v1/channels/\(used)")
            expectProblem(refused, .conflict)
            #expect(refused.json["detail"]?.stringValue?.contains("interactions") == true, "\(refused.text)")
        }
    }
}
