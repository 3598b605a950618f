import HTTPTypes
import RapportCore
import RapportStore
import RapportSync
import RapportTestSupport
import Testing

/// A department's day: handoffs in and out with their lapsed SLAs, high-priority conversations,
/// counted in the department's own time zone; and a manager's view of the load per person.
@Suite("Department feed and load")
struct DepartmentFeedTests {
    @Test("both departments' feeds show the handoff and its SLA breach, each day counted in its own time zone", arguments: Backend.available)
    func feedsOnTheStoreClock(backend: Backend) async throws {
        // Thursday 17:00 UTC is Friday 01:00 in Shanghai.
        let time = TestTime(Timestamp(rfc3339: "2026-12-03T17:00:00Z")!)
        try await TestDatabases.withStore(backend, clock: time.clock) { store in
            let sales = try #require(try await store.organization.department("sales"))
            let service = try #require(try await store.organization.department("service"))
            let shanghai = try BusinessHours.read(["time_zone": "Asia/Shanghai", "days": ["mon": ["09:00-18:00"], "tue": ["09:00-18:00"],
                "wed": ["09:00-18:00"], "thu": ["09:00-18:00"], "fri": ["09:00-18:00"]]], path: "")
            let (requester, customer) = try await store.write { tx in
                try await store.handoffs.setBusinessHours(shanghai, of: sales.id, actor: .system, in: tx)
                let requester = try await store.organization.insertUser(
                    UserChanges(email: "ana@example.com", name: "Ana", role: .agent, departmentID: .set(service.id), active: true),
                    actor: .system, in: tx)
                let customer = try await store.customers.createCustomer(NewCustomer(name: "Mia"), actor: .system, channelID: nil, in: tx)
                return (requester, customer)
            }
            let author = Colleague(actor: Actor(kind: .user, id: requester.id), departmentID: service.id, moderates: false)
            func request(_ reason: String, minutes: Int? = nil) async throws -> Handoff {
                try await store.write { tx in
                    try await store.handoffs.requestHandoff(HandoffDraft(kind: .upsellLead, customerID: customer.id, reason: reason,
                                                                         slaMinutes: minutes), by: author, in: tx)
                }
            }
            let first = try await request("More seats")
            time.advance(by: .seconds(8 * 3600 + 1800))
            let second = try await request("Wants the yearly plan", minutes: 60)
            #expect(second.answerDueAt == Timestamp(rfc3339: "2026-12-04T02:30:00Z"))
            time.advance(by: .seconds(3600))
            #expect(try await DeadlineWatcher(store: store, logger: TestDatabases.logger).look() == 1)

            let feed = store.departmentFeed
            let salesZone = try #require(try await feed.timeZone(of: sales.id))
            let salesToday = DepartmentDay.containing(time.now(), in: salesZone)
            #expect(salesToday.date == "2026-12-04")
            #expect(salesToday.start == Timestamp(rfc3339: "2026-12-03T16:00:00Z"))
            let salesFeed = try await feed.feed(of: sales.id, on: salesToday, newestFirst: true, limit: 10, cursor: nil).items
            #expect(salesFeed.map(\.json).map { $0["type"]?.stringValue } == ["sla_breach", "handoff", "handoff"])
            #expect(salesFeed.map(\.json).allSatisfy { $0["direction"]?.stringValue == "in" })
            #expect(salesFeed.map(\.json).map { $0["handoff_step"]?["handoff"]?["id"]?.stringValue } == [second.id, second.id, first.id])
            let salesSummary = try await feed.summary(of: sales.id, on: salesToday)
            #expect(salesSummary == DepartmentDaySummary(handoffsIn: 2, handoffsOut: 0, slaBreachesIn: 1, slaBreachesOut: 0,
                                                         highPriorityConversations: 0, unansweredNow: 2))

            // Service has no business hours: its days are UTC days, so the first request was yesterday.
            let serviceZone = try #require(try await feed.timeZone(of: service.id))
            let serviceToday = DepartmentDay.containing(time.now(), in: serviceZone)
            #expect(serviceToday.date == "2026-12-04")
            let serviceFeed = try await feed.feed(of: service.id, on: serviceToday, newestFirst: true, limit: 10, cursor: nil).items
            #expect(serviceFeed.map(\.json).map { $0["type"]?.stringValue } == ["sla_breach", "handoff"])
            #expect(serviceFeed.map(\.json).allSatisfy { $0["direction"]?.stringValue == "out" })
            #expect(try await feed.summary(of: service.id, on: serviceToday).slaBreachesOut == 1)
            let yesterday = try #require(DepartmentDay.named("2026-12-03", in: serviceZone))
            #expect(try await feed.feed(of: service.id, on: yesterday, newestFirst: true, limit: 10, cursor: nil).items.map(\.id).count == 1)
            #expect(try await feed.summary(of: service.id, on: yesterday).handoffsOut == 1)

            // Pages: one cursor through both sources, nothing repeated or skipped, in both orders.
            for newestFirst in [true, false] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let page = try await feed.feed(of: sales.id, on: salesToday, newestFirst: newestFirst, limit: 2, cursor: cursor)
                    seen += page.items.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                let all = try await feed.feed(of: sales.id, on: salesToday, newestFirst: newestFirst, limit: 10, cursor: nil).items.map(\.id)
                #expect(seen == all)
                #expect(all.count == 3)
            }

            // The customer's timeline has every step; the handoff has its own list of them.
            let steps = try await store.handoffs.steps(customerID: customer.id, newestFirst: false, limit: 10, cursor: nil).items
            #expect(steps.map(\.step) == ["requested", "requested", "escalated"])
            #expect(steps.first?.actor == Actor(kind: .user, id: requester.id))
            #expect(steps.last?.actor == .system)
            #expect(try await store.handoffs.steps(handoffID: second.id).map(\.step) == ["requested", "escalated"])
        }
    }

    @Test("the feed and the load over HTTP: high-priority conversations, work per person, a manager's view only", arguments: Backend.available)
    func feedAndLoadOverHTTP(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let ana = try await NotesTests.person(api, email: "ana@example.com", name: "Ana Lima", role: "agent", department: "service")
            let li = try await NotesTests.person(api, email: "liwei@example.com", name: "李伟", role: "agent", department: "sales")
            let bo = try await NotesTests.person(api, email: "bo@example.com", name: "Bo Chen", role: "manager", department: "sales")
            let sales = try #require(try await api.get("/v1/departments").items.first { $0["key"]?.stringValue == "sales" }?["id"]?.stringValue)
            let email = try await api.createChannel(kind: "email", name: "sales inbox")
            let first = try await RoutingTests.post(api, channel: email, from: "ivy@example.com", body: "We want 500 seats by Monday")
            let customer = try #require(first["customer_id"]?.stringValue)
            let conversation = try #require(try await IngestThreadingTests.conversations(api, customer: customer).first?["id"]?.stringValue)
            let raised = try await api.request(.patch, "/v1/conversations/\(conversation)",
                                               json: ["priority": "urgent", "department_id": .string(sales), "assignee_id": .string(li.id)])
            #expect(raised.status == .ok, "\(raised.text)")

            let asked = try await api.post("/v1/handoffs", ["kind": "upsell_lead", "customer_id": .string(customer),
                                                            "conversation_id": .string(conversation), "reason": "Big order"], auth: ana.auth)
            let handoff = try #require(asked.json["id"]?.stringValue, "\(asked.text)")
            let day = try #require(asked.json["created_at"]?.stringValue.map { String($0.prefix(10)) })
            _ = try await api.post("/v1/handoffs/\(handoff)/accept", [:], auth: li.auth)
            let task = try await api.post("/v1/tasks", ["title": "Call Ivy back", "customer_id": .string(customer),
                                                        "assignee": ["kind": "user", "id": .string(li.id)], "due_at": "2020-01-01T09:00:00Z"],
                                          auth: bo.auth)
            #expect(task.status == .created, "\(task.text)")
            _ = try await api.post("/v1/tasks", ["title": "Price list for Q1", "assignee": ["kind": "department", "id": .string(sales)]],
                                   auth: bo.auth)

            let feed = try await api.get("/v1/departments/\(sales)/feed?day=\(day)", auth: li.auth)
            #expect(feed.status == .ok, "\(feed.text)")
            #expect(feed.json["day"]?.stringValue == day)
            #expect(feed.json["time_zone"]?.stringValue == "GMT" || feed.json["time_zone"]?.stringValue == "UTC")
            let types = feed.items.compactMap { $0["type"]?.stringValue }
            #expect(types == ["handoff", "handoff", "high_priority_conversation"], "\(feed.text)")
            #expect(feed.items.first?["handoff_step"]?["step"]?.stringValue == "accepted")
            #expect(feed.items.last?["conversation"]?["id"]?.stringValue == conversation)
            #expect(feed.json["summary"]?["handoffs_in"]?.intValue == 1)
            #expect(feed.json["summary"]?["high_priority_conversations"]?.intValue == 1)
            #expect(feed.json["summary"]?["unanswered_now"]?.intValue == 0)
            let service = try #require(try await api.get("/v1/departments").items.first { $0["key"]?.stringValue == "service" }?["id"]?.stringValue)
            let serviceFeed = try await api.get("/v1/departments/\(service)/feed?day=\(day)", auth: ana.auth)
            #expect(serviceFeed.items.compactMap { $0["direction"]?.stringValue } == ["out", "out"], "\(serviceFeed.text)")
            #expect(serviceFeed.json["summary"]?["handoffs_out"]?.intValue == 1)
            expectProblem(try await api.get("/v1/departments/\(sales)/feed?day=2026-02-30", auth: li.auth), .badRequest, field: "day")
            expectProblem(try await api.get("/v1/departments/\(sales)/feed?order=sideways", auth: li.auth), .badRequest, field: "order")
            expectProblem(try await api.get("/v1/departments/dep_missing/feed"), .notFound)

            // The load: Li has the conversation, the accepted handoff and an overdue task; Bo nothing.
            expectProblem(try await api.get("/v1/departments/\(sales)/load", auth: li.auth), .forbidden)
            let load = try await api.get("/v1/departments/\(sales)/load", auth: bo.auth)
            #expect(load.status == .ok, "\(load.text)")
            let people = try #require(load.json["people"]?.arrayValue)
            #expect(people.compactMap { $0["user_id"]?.stringValue } == [li.id, bo.id])
            #expect(people.first?["open_conversations"]?.intValue == 1)
            #expect(people.first?["handoffs_in_progress"]?.intValue == 1)
            #expect(people.first?["open_tasks"]?.intValue == 1)
            #expect(people.first?["overdue_tasks"]?.intValue == 1)
            #expect(people.first?["total"]?.intValue == 3)
            #expect(people.last?["total"]?.intValue == 0)
            #expect(load.json["shared_tasks"]?.intValue == 1)
            #expect(load.json["unassigned_conversations"]?.intValue == 0)
            #expect(try await api.get("/v1/departments/\(sales)/load").status == .ok, "an admin key sees it")
            expectProblem(try await api.get("/v1/departments/dep_missing/load"), .notFound)

            // The customer's timeline shows the handoff's steps among the messages, clearly internal.
            let activity = try await api.get("/v1/customers/\(customer)/activity?order=asc").items
            #expect(activity.compactMap { $0["type"]?.stringValue } == ["interaction", "handoff_step", "handoff_step"])
            #expect(activity.last?["handoff_step"]?["step"]?.stringValue == "accepted")
            #expect(activity.last?["handoff_step"]?["actor"]?["id"]?.stringValue == li.id)
            let steps = try await api.get("/v1/handoffs/\(handoff)/steps").items
            #expect(steps.compactMap { $0["step"]?.stringValue } == ["requested", "accepted"])
            #expect(steps.first?["detail"]?.stringValue == "Big order")
            expectProblem(try await api.get("/v1/handoffs/hof_missing/steps"), .notFound)
        }
    }
}
