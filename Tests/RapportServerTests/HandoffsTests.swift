import HTTPTypes
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// Handoffs between departments over HTTP, and their escalation on the store's clock.
@Suite("HTTP: handoffs between departments")
struct HandoffsTests {
    @Test("service hands a customer to sales: sales hears of it, answers, and service hears back", arguments: Backend.available)
    func handoffBetweenDepartments(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await NotesTests.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let bo = try await NotesTests.person(api, email: "bo@example.com", name: "Bo Chen", role: "manager", department: "sales")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            let sales = try #require(try await api.get("/v1/departments").items.first { $0["key"]?.stringValue == "sales" }?["id"]?.stringValue)
            let hours: JSONValue = ["time_zone": "UTC", "days": ["mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"],
                                                                "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]]]
            let set = try await api.request(.put, "/v1/departments/\(sales)/business-hours", json: ["business_hours": hours])
            #expect(set.status == .ok, "\(set.text)")
            #expect(set.json["business_hours"]?["time_zone"]?.stringValue == "UTC")
            #expect(try await api.get("/v1/departments/\(sales)/business-hours").json["business_hours"]?["time_zone"]?.stringValue == "UTC")
            expectProblem(try await api.get("/v1/departments/dep_missing/business-hours"), .notFound)

            let asked = try await api.post("/v1/handoffs", ["kind": "upsell_lead", "customer_id": .string(customer),
                                                            "reason": "Asked twice about more seats"], auth: ana.auth)
            #expect(asked.status == .created, "\(asked.text)")
            let id = try #require(asked.json["id"]?.stringValue)
            #expect(asked.json["to_department_id"]?.stringValue == sales)
            #expect(asked.json["status"]?.stringValue == "requested")
            #expect(asked.json["unanswered"] == .bool(true))
            #expect(asked.json["sla_minutes"]?.intValue == 240)
            let created = try #require(asked.json["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
            let expected = try BusinessHours.read(hours, path: "").deadline(adding: 240, to: created)
            #expect(asked.json["answer_due_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) == expected)

            // The whole receiving department hears of it; the sender does not.
            #expect(try await api.get("/v1/notifications", auth: li.auth).items.first?["kind"]?.stringValue == "handoff")
            #expect(try await api.get("/v1/notifications", auth: bo.auth).items.first?["handoff_id"]?.stringValue == id)
            #expect(try await api.get("/v1/notifications", auth: ana.auth).items.isEmpty)
            // Both departments' feeds show it.
            #expect(try await api.get("/v1/handoffs?direction=in", auth: li.auth).items.count == 1)
            #expect(try await api.get("/v1/handoffs?direction=out", auth: ana.auth).items.count == 1)
            #expect(try await api.get("/v1/handoffs?direction=in", auth: ana.auth).items.isEmpty)

            // Only sales answers; once.
            expectProblem(try await api.post("/v1/handoffs/\(id)/accept", [:], auth: ana.auth), .forbidden)
            let accepted = try await api.post("/v1/handoffs/\(id)/accept", [:], auth: li.auth)
            #expect(accepted.json["status"]?.stringValue == "accepted", "\(accepted.text)")
            #expect(accepted.json["accepted_by"]?.stringValue == li.id)
            expectProblem(try await api.post("/v1/handoffs/\(id)/decline", ["reason": "too late"], auth: bo.auth), .conflict)
            #expect(try await api.get("/v1/notifications", auth: ana.auth).items.first?["kind"]?.stringValue == "handoff")
            let done = try await api.post("/v1/handoffs/\(id)/complete", ["outcome": "Sold 20 seats"], auth: li.auth)
            #expect(done.json["status"]?.stringValue == "done", "\(done.text)")
            expectProblem(try await api.post("/v1/handoffs/\(id)/cancel", [:], auth: ana.auth), .conflict)
            let events = try await api.events().compactMap { $0["type"]?.stringValue }.filter { $0.hasPrefix("rapport.handoff.") }
            #expect(events == ["rapport.handoff.requested", "rapport.handoff.accepted", "rapport.handoff.done"])

            // Bad input: the field named, nothing stored.
            expectProblem(try await api.post("/v1/handoffs", ["kind": "other", "to_department_id": "dep_missing", "customer_id": .string(customer),
                                                              "reason": "x"], auth: ana.auth), .unprocessableContent, field: "to_department_id")
            expectProblem(try await api.post("/v1/handoffs", ["kind": "other", "to_department_id": "service", "customer_id": .string(customer),
                                                              "reason": "x"], auth: ana.auth), .unprocessableContent, field: "to_department_id")
            expectProblem(try await api.post("/v1/handoffs", ["kind": "feedback", "customer_id": .string(customer), "reason": "  "],
                                             auth: ana.auth), .unprocessableContent, field: "reason")
            expectProblem(try await api.post("/v1/handoffs", ["kind": "feedback", "customer_id": "cus_missing", "reason": "x"], auth: ana.auth),
                          .notFound)
            #expect(try await api.get("/v1/handoffs?direction=out", auth: ana.auth).items.count == 1)

            // A department that handoffs name is not deleted from under them (was a 500).
            let legal = try #require(try await api.post("/v1/departments", ["key": "legal", "name": "Legal"]).json["id"]?.stringValue)
            _ = try await api.post("/v1/handoffs", ["kind": "other", "to_department_id": "legal", "customer_id": .string(customer),
                                                    "reason": "Contract check"], auth: ana.auth)
            expectProblem(try await api.delete("/v1/departments/\(legal)"), .conflict)
        }
    }

    @Test("an unanswered handoff escalates to the receiving department's managers once its SLA lapses", arguments: Backend.available)
    func escalation(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-04T09:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let sales = try #require(try await store.organization.department("sales"))
            let service = try #require(try await store.organization.department("service"))
            let (agent, manager, requester, handoff) = try await store.write { tx in
                func user(_ email: String, _ role: Role, _ department: String) async throws -> User {
                    try await store.organization.insertUser(UserChanges(email: email, name: email, role: role, departmentID: .set(department),
                                                                        active: true), actor: .system, in: tx)
                }
                let agent = try await user("li@example.com", .agent, sales.id)
                let manager = try await user("bo@example.com", .manager, sales.id)
                let requester = try await user("ana@example.com", .agent, service.id)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Mia"), actor: .system, channelID: nil, in: tx)
                let handoff = try await store.handoffs.requestHandoff(
                    HandoffDraft(kind: .upsellLead, customerID: customer.id, reason: "More seats"),
                    by: Colleague(actor: Actor(kind: .user, id: requester.id), departmentID: service.id, moderates: false), in: tx)
                return (agent, manager, requester, handoff)
            }
            #expect(handoff.answerDueAt == Timestamp(rfc3339: "2026-12-04T13:00:00Z"))
            let watcher = DeadlineWatcher(store: store, logger: TestDatabases.logger)
            func kinds(_ user: User) async throws -> [String] {
                try await store.notifications.notifications(of: user.id, unreadOnly: false, limit: 10, cursor: nil).items.map(\.kind.rawValue)
            }
            #expect(try await watcher.look() == 0)
            time.advance(by: .seconds(4 * 3600))
            #expect(try await watcher.look() == 1)
            #expect(try await store.handoffs.handoff(handoff.id)?.escalatedAt != nil)
            #expect(try await kinds(manager) == ["handoff_escalated", "handoff"])
            #expect(try await kinds(requester) == ["handoff_escalated"])
            #expect(try await kinds(agent) == ["handoff"])
            #expect(try await watcher.look() == 0)
        }
    }

    @Test("a handoff to a department with no one in it is not lost: past its time it escalates to the admins", arguments: Backend.available)
    func escalationWithNoOneThere(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-04T09:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let service = try #require(try await store.organization.department("service"))
            let (admin, requester) = try await store.write { tx in
                let admin = try await store.organization.insertUser(UserChanges(email: "root@example.com", name: "Root", role: .admin, active: true),
                                                                    actor: .system, in: tx)
                let requester = try await store.organization.insertUser(
                    UserChanges(email: "ana@example.com", name: "Ana", role: .agent, departmentID: .set(service.id), active: true), actor: .system, in: tx)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Mia"), actor: .system, channelID: nil, in: tx)
                _ = try await store.handoffs.requestHandoff(
                    HandoffDraft(kind: .other, toDepartment: "finance", customerID: customer.id, reason: "Invoice the order", slaMinutes: 60),
                    by: Colleague(actor: Actor(kind: .user, id: requester.id), departmentID: service.id, moderates: false), in: tx)
                return (admin, requester)
            }
            time.advance(by: .seconds(3601))
            #expect(try await DeadlineWatcher(store: store, logger: TestDatabases.logger).look() == 1)
            let notified = try await store.notifications.notifications(of: admin.id, unreadOnly: false, limit: 10, cursor: nil).items
            #expect(notified.map(\.kind) == [.handoffEscalated])
            #expect(try await store.notifications.notifications(of: requester.id, unreadOnly: false, limit: 10, cursor: nil).items.map(\.kind)
                    == [.handoffEscalated])
        }
    }
}
