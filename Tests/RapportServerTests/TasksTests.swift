import HTTPTypes
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// Tasks between people and departments: given to a user, a queue or a department, listed as
/// mine, my department's and overdue, done with their next occurrence made, created by routing
/// rules, and reminded or flagged overdue on the store's clock.
@Suite("HTTP: tasks")
struct TasksTests {
    @Test("a task for a colleague notifies them, lists as theirs and their department's, and recurs", arguments: Backend.available)
    func tasksBetweenPeople(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await NotesTests.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)

            let made = try await api.post("/v1/tasks", [
                "title": "Offer the yearly plan", "customer_id": .string(customer), "priority": "high",
                "assignee": ["kind": "user", "id": .string(li.id)], "due_at": "2026-12-07T09:00:00Z",
                "recurrence": "FREQ=WEEKLY;COUNT=2", "checklist": [["text": "Check usage"], ["text": "Send quote"]],
            ], auth: ana.auth)
            #expect(made.status == .created, "\(made.text)")
            let id = try #require(made.json["id"]?.stringValue)
            #expect(made.headers[.eTag] == etag(id, version: 1))
            #expect(made.json["source"]?.stringValue == "person")
            #expect(made.json["checklist"]?[1]?["done"] == .bool(false))

            let inbox = try await api.get("/v1/notifications", auth: li.auth).items
            #expect(inbox.first?["kind"]?.stringValue == "assignment")
            #expect(inbox.first?["task_id"]?.stringValue == id)
            #expect(try await api.get("/v1/notifications", auth: ana.auth).items.isEmpty)

            #expect(try await api.get("/v1/tasks", auth: li.auth).items.compactMap { $0["id"]?.stringValue } == [id])
            #expect(try await api.get("/v1/tasks", auth: ana.auth).items.isEmpty)
            #expect(try await api.get("/v1/tasks?view=department", auth: li.auth).items.count == 1)
            #expect(try await api.get("/v1/tasks?view=department", auth: ana.auth).items.isEmpty)
            #expect(try await api.get("/v1/tasks?view=all&customer_id=\(customer)").items.count == 1)
            expectProblem(try await api.get("/v1/tasks?view=mine"), .conflict, type: "not-a-user")

            // Done: completed, and the next week's task made (COUNT=2: one more, then no more).
            let done = try await api.patch("/v1/tasks/\(id)", ["status": "done", "checklist": [["text": "Check usage", "done": true]]],
                                           auth: li.auth, headers: [.ifMatch: etag(id, version: 1)])
            #expect(done.json["status"]?.stringValue == "done", "\(done.text)")
            #expect(done.json["completed_at"]?.stringValue != nil)
            let open = try await api.get("/v1/tasks", auth: li.auth).items
            #expect(open.count == 1)
            #expect(open.first?["due_at"]?.stringValue == "2026-12-14T09:00:00.000Z")
            #expect(open.first?["checklist"]?[0]?["done"] == .bool(false))
            let nextID = try #require(open.first?["id"]?.stringValue)
            _ = try await api.patch("/v1/tasks/\(nextID)", ["status": "done"], auth: li.auth)
            #expect(try await api.get("/v1/tasks", auth: li.auth).items.isEmpty)
            #expect(try await api.get("/v1/tasks?status=done", auth: li.auth).items.count == 2)

            // Reassigned to a department: its people hear of it.
            let handed = try await api.patch("/v1/tasks/\(id)", ["assignee": ["kind": "department", "id": "service"], "status": "open"],
                                             auth: li.auth)
            #expect(handed.json["assignee"]?["kind"]?.stringValue == "department", "\(handed.text)")
            #expect(try await api.get("/v1/notifications?unread=true", auth: ana.auth).items.first?["kind"]?.stringValue == "assignment")

            // Bad input.
            expectProblem(try await api.post("/v1/tasks", ["title": "x"]), .unprocessableContent, field: "assignee")
            expectProblem(try await api.post("/v1/tasks", ["title": "x", "assignee": ["kind": "user", "id": "usr_missing"]]),
                          .unprocessableContent, field: "assignee.id")
            expectProblem(try await api.post("/v1/tasks", ["title": "x", "recurrence": "FREQ=SOMETIMES"], auth: ana.auth),
                          .unprocessableContent, field: "recurrence")
            expectProblem(try await api.post("/v1/tasks", ["title": "x", "customer_id": "cus_missing"], auth: ana.auth), .notFound)
            expectProblem(try await api.patch("/v1/tasks/\(id)", ["title": "y"], auth: ana.auth, headers: [.ifMatch: etag(id, version: 1)]),
                          .preconditionFailed)
        }
    }

    @Test("a routing rule makes a task that appears in the assignee's tasks, and its notify action fills inboxes")
    func ruleMakesATask() async throws {
        try await withApp(.sqlite) { api, _ in
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let rule = try await api.post("/v1/rules", [
                "name": "Upgrade leads", "trigger": "interaction.created",
                "conditions": ["expression": #"interaction.body.contains("upgrade")"#],
                "actions": ["department": "sales", "notify": ["department:sales"],
                            "create_task": ["title": "Call about the upgrade", "assignee": .string(li.id), "due_in_minutes": 240]],
            ])
            #expect(rule.status == .created, "\(rule.text)")
            let ruleID = try #require(rule.json["id"]?.stringValue)
            // A later rule that matches too does not take the task's source over.
            let later = try await api.post("/v1/rules", ["name": "Tag upgrades", "trigger": "interaction.created",
                                                         "conditions": ["expression": #"interaction.body.contains("upgrade")"#],
                                                         "actions": ["tags": ["upgrade"]]])
            #expect(later.status == .created, "\(later.text)")
            let channel = try await api.createChannel(kind: "email", name: "Mail")
            let customer = try #require(try await api.createCustomer(["name": "Mia"])["id"]?.stringValue)
            _ = try await api.post("/v1/interactions", ["channel_id": .string(channel), "customer_id": .string(customer), "direction": "inbound",
                                                        "kind": "email", "body": "We want to upgrade our plan",
                                                        "occurred_at": "2026-12-03T10:00:00Z"])
            // The router's consumer makes the task: wait for its position past the message.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            let tasks = try await api.get("/v1/tasks", auth: li.auth).items
            #expect(tasks.count == 1, "\(tasks)")
            #expect(tasks.first?["source"]?.stringValue == "rule:\(ruleID)")
            #expect(tasks.first?["due_at"]?.stringValue == "2026-12-03T14:00:00.000Z")
            #expect(tasks.first?["customer_id"]?.stringValue == customer)
            let kinds = try await api.get("/v1/notifications", auth: li.auth).items.compactMap { $0["kind"]?.stringValue }
            #expect(kinds.sorted() == ["assignment", "rule"])
        }
    }

    @Test("reminders and overdue notices go out once, when the store's clock passes them", arguments: Backend.available)
    func deadlines(backend: Backend) async throws {
        let time = TestTime(Timestamp(rfc3339: "2026-12-03T08:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let (user, task) = try await store.write { tx in
                let department = try await store.organization.insertDepartment(key: "care", name: "Care", description: nil, actor: .system, in: tx)
                let user = try await store.organization.insertUser(UserChanges(email: "ana@example.com", name: "Ana", role: .agent,
                                                                               departmentID: .set(department.id), active: true),
                                                                   actor: .system, in: tx)
                let task = try await store.tasks.createTask(TaskDraft(title: "Call Mia", assignee: TaskAssignee(kind: .user, id: user.id),
                                                                      dueAt: Timestamp(rfc3339: "2026-12-03T12:00:00Z"),
                                                                      remindAt: Timestamp(rfc3339: "2026-12-03T11:00:00Z")),
                                                            source: "person", by: .system, in: tx)
                return (user, task)
            }
            let watcher = DeadlineWatcher(store: store, logger: TestDatabases.logger)
            func kinds() async throws -> [String] {
                try await store.notifications.notifications(of: user.id, unreadOnly: false, limit: 10, cursor: nil).items.map(\.kind.rawValue)
            }
            #expect(try await kinds() == ["assignment"])
            #expect(try await watcher.look() == 0)
            time.advance(by: .seconds(3 * 3600 + 1))
            #expect(try await watcher.look() == 1)
            #expect(try await kinds() == ["task_due", "assignment"])
            #expect(try await store.tasks.task(task.id)?.remindAt == nil)
            #expect(try await watcher.look() == 0)
            time.advance(by: .seconds(3600))
            #expect(try await watcher.look() == 1)
            #expect(try await kinds() == ["task_overdue", "task_due", "assignment"])
            #expect(try await watcher.look() == 0)
            // Another node's watcher waits for the lease.
            #expect(try await DeadlineWatcher(store: store, logger: TestDatabases.logger).look() == 0)
        }
    }
}
