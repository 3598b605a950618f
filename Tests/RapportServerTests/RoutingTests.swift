import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

/// Conversations, rules, queues and assignment over HTTP, with the router running as in production.
@Suite("HTTP: conversations, routing rules, queues and assignment")
struct RoutingTests {
    static func department(_ api: API, _ key: String) async throws -> String {
        let all = try await api.get("/v1/departments").items
        return try #require(all.first { $0["key"]?.stringValue == key }?["id"]?.stringValue)
    }

    static func user(_ api: API, _ name: String, status: String = "online", capacity: Double = 5, skills: [String] = []) async throws -> String {
        let created = try await api.post("/v1/users", ["email": .string("\(name)@example.com"), "name": .string(name), "role": "agent"])
        #expect(created.status == .created, "\(created.text)")
        let id = try #require(created.json["id"]?.stringValue)
        let state = try await api.request(.put, "/v1/agents/\(id)", json: [
            "status": .string(status), "capacity": .double(capacity), "skills": .array(skills.map(JSONValue.string))])
        #expect(state.status == .ok, "\(state.text)")
        return id
    }

    static func post(_ api: API, channel: String, from email: String, body: String, subject: String? = nil,
                     metadata: JSONValue = [:]) async throws -> JSONValue {
        var json: JSONObject = ["channel_id": .string(channel), "identity": .string("email:\(email)"), "body": .string(body),
                                "metadata": metadata]
        if let subject { json["subject"] = .string(subject) }
        let reply = try await api.post("/v1/interactions", .object(json))
        #expect(reply.status == .created, "\(reply.text)")
        return reply.json
    }

    /// The conversation an interaction was routed into, once its decision is recorded.
    ///
    /// Ingest threads the interaction before routing sees it, so the conversation is listed at
    /// once; it is read whole only after its decisions are seen, which routing commits together
    /// with what it changed (the parts of one GET are separate reads).
    static func routed(_ api: API, customer: String, interactions count: Int64 = 1) async throws -> JSONValue {
        let id: String = try await eventually("the conversation of \(customer)") {
            let list = try await api.get("/v1/conversations?customer_id=\(customer)").items
            guard let first = list.first, first["interaction_count"]?.intValue == count,
                  let id = first["id"]?.stringValue else { return nil }
            let decisions = try await api.get("/v1/conversations/\(id)/decisions").items
            return decisions.count >= Int(count) ? id : nil
        }
        return try await api.get("/v1/conversations/\(id)").json
    }

    @Test("an inbound message is threaded, routed by a rule to a queue, assigned round robin, and the decision explains itself",
          arguments: Backend.available)
    func endToEnd(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let email = try await api.createChannel(kind: "email", name: "support inbox")
            let finance = try await Self.department(api, "finance")
            let ana = try await Self.user(api, "ana")
            let ben = try await Self.user(api, "ben")
            let queue = try await api.post("/v1/queues", ["department_id": "finance", "key": "refunds", "name": "Refunds",
                                                          "strategy": "round_robin", "member_ids": [.string(ana), .string(ben)]])
            #expect(queue.status == .created, "\(queue.text)")
            let queueID = try #require(queue.json["id"]?.stringValue)
            let rule = try await api.post("/v1/rules", [
                "name": "Refunds to finance", "trigger": "interaction.created",
                "conditions": ["expression": #"interaction.body.contains("refund")"#, "channels": ["email"]],
                "actions": ["department": "finance", "queue": "refunds", "priority": "high", "tags": ["refund"]],
            ])
            #expect(rule.status == .created, "\(rule.text)")
            let ruleID = try #require(rule.json["id"]?.stringValue)

            let first = try await Self.post(api, channel: email, from: "kim@example.com", body: "I want a refund for order 17")
            let kim = try #require(first["customer_id"]?.stringValue)
            let conversation = try await Self.routed(api, customer: kim)
            #expect(conversation["department_id"]?.stringValue == finance)
            #expect(conversation["queue_id"]?.stringValue == queueID)
            #expect(conversation["priority"]?.stringValue == "high")
            #expect(conversation["tags"]?.strings == ["refund"])
            #expect(conversation["status"]?.stringValue == "open")
            let firstAssignee = try #require(conversation["assignee_id"]?.stringValue)
            #expect(firstAssignee == ana)
            let decision = try #require(conversation["decisions"]?.arrayValue?.first)
            #expect(decision["reason"]?.stringValue == "rule")
            #expect(decision["matched_rules"]?.arrayValue?.first?["rule_id"]?.stringValue == ruleID)
            #expect(decision["matched_rules"]?.arrayValue?.first?["version"]?.intValue == 1)
            #expect(decision["result"]?["assignee_id"]?.stringValue == ana)
            #expect(decision["interaction_id"]?.stringValue == first["id"]?.stringValue)

            // The same customer writing again joins the conversation; another customer goes to the next agent.
            _ = try await Self.post(api, channel: email, from: "kim@example.com", body: "any news on my refund?")
            let joined = try await Self.routed(api, customer: kim, interactions: 2)
            #expect(joined["id"] == conversation["id"])
            #expect(joined["interactions"]?.arrayValue?.count == 2)
            #expect(joined["assignee_id"]?.stringValue == ana)
            let other = try await Self.post(api, channel: email, from: "lee@example.com", body: "refund please")
            let lee = try await Self.routed(api, customer: try #require(other["customer_id"]?.stringValue))
            #expect(lee["assignee_id"]?.stringValue == ben)

            // Inboxes: the department's and each person's, with counts per status.
            let inbox = try await api.get("/v1/conversations?department_id=finance&status=open")
            #expect(inbox.items.count == 2)
            #expect(inbox.json["counts"]?["open"]?.intValue == 2)
            #expect(try await api.get("/v1/conversations?assignee_id=\(ben)").items.count == 1)
            #expect(try await api.get("/v1/conversations?queue_id=\(queueID)&unassigned=true").items.isEmpty)

            // Events: conversation created and routed, with the decision.
            let events = try await api.events()
            let types = events.compactMap { $0["type"]?.stringValue }
            #expect(types.contains("rapport.conversation.created"))
            #expect(types.contains("rapport.conversation.routed"))
        }
    }

    @Test("an agent going offline hands their conversations to another member; resolving frees capacity for the waiting",
          arguments: Backend.available)
    func reassignment(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let chat = try await api.createChannel(kind: "chat", name: "web chat")
            let ana = try await Self.user(api, "ana", capacity: 1)
            let ben = try await Self.user(api, "ben", status: "offline", capacity: 1)
            let queue = try await api.post("/v1/queues", ["department_id": "service", "key": "chat", "name": "Chat",
                                                          "strategy": "least_open", "member_ids": [.string(ana), .string(ben)]])
            #expect(queue.status == .created, "\(queue.text)")
            _ = try await api.post("/v1/rules", ["name": "All chat to service", "trigger": "interaction.created",
                                                 "actions": ["department": "service", "queue": "chat"]])
            let one = try await Self.post(api, channel: chat, from: "one@example.com", body: "hello")
            let first = try await Self.routed(api, customer: try #require(one["customer_id"]?.stringValue))
            #expect(first["assignee_id"]?.stringValue == ana)
            // Ana is full (capacity 1) and Ben offline: the second waits unassigned in the queue.
            let two = try await Self.post(api, channel: chat, from: "two@example.com", body: "hello too")
            let second = try await Self.routed(api, customer: try #require(two["customer_id"]?.stringValue))
            #expect(second["assignee_id"] == .null)

            // Ben comes online: the waiting conversation is his.
            #expect(try await api.request(.put, "/v1/agents/\(ben)", json: ["status": "online"]).status == .ok)
            let secondID = try #require(second["id"]?.stringValue)
            #expect(try await api.get("/v1/conversations/\(secondID)").json["assignee_id"]?.stringValue == ben)

            // Ana goes offline: her conversation goes back to the queue; Ben is full, so it waits.
            #expect(try await api.request(.put, "/v1/agents/\(ana)", json: ["status": "offline"]).status == .ok)
            let firstID = try #require(first["id"]?.stringValue)
            #expect(try await api.get("/v1/conversations/\(firstID)").json["assignee_id"] == .null)
            // Ben resolves his: the waiting one comes to him.
            let resolved = try await api.patch("/v1/conversations/\(secondID)", ["status": "resolved"])
            #expect(resolved.status == .ok, "\(resolved.text)")
            #expect(resolved.json["resolved_at"]?.stringValue != nil)
            #expect(try await api.get("/v1/conversations/\(firstID)").json["assignee_id"]?.stringValue == ben)
        }
    }

    @Test("rules with errors are refused naming the field; edits are versioned; If-Match guards them")
    func ruleLifecycle() async throws {
        try await withApp { api, _ in
            let bad = try await api.post("/v1/rules", [
                "name": "Broken", "trigger": "interaction.created",
                "conditions": ["expression": "interaction.body.contains(", "keywords_any": ["nope"]],
                "actions": ["priority": "sky-high"],
            ])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorFields) == ["conditions.expression", "conditions.keywords_any[0]", "actions.priority"], "\(bad.text)")
            #expect(try await api.get("/v1/rules").items.isEmpty)

            let created = try await api.post("/v1/rules", ["name": "VIP", "trigger": "interaction.created",
                                                           "conditions": ["expression": #"customer.attributes.tier == "gold""#],
                                                           "actions": ["priority": "urgent"]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.stringValue)
            let fetched = try await api.get("/v1/rules/\(id)")
            let etag = try #require(fetched.headers[.eTag])
            let replaced = try await api.request(.put, "/v1/rules/\(id)", json: [
                "name": "VIP", "trigger": "interaction.created", "stop": true,
                "conditions": ["expression": #"customer.attributes.tier in ["gold", "platinum"]"#],
                "actions": ["priority": "urgent", "tags": ["vip"]],
            ], headers: [.ifMatch: etag])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect(replaced.json["version"]?.intValue == 2)
            let stale = try await api.request(.put, "/v1/rules/\(id)", json: [
                "name": "VIP", "trigger": "interaction.created", "actions": ["priority": "low"]], headers: [.ifMatch: etag])
            expectProblem(stale, .preconditionFailed)
            let versions = try await api.get("/v1/rules/\(id)/versions").items
            #expect(versions.map { $0["version"]?.intValue } == [1, 2])
            #expect(versions.first?["definition"]?["actions"]?["tags"] == nil)
            #expect(try await api.delete("/v1/rules/\(id)").status == .noContent)
            #expect(try await api.get("/v1/rules/\(id)").status == .notFound)
        }
    }

    @Test("a rule failing at run time is skipped and recorded; ingest and the other rules go on")
    func runtimeFailure() async throws {
        try await withApp { api, _ in
            let sms = try await api.createChannel(kind: "sms", name: "sms")
            _ = try await api.post("/v1/rules", ["name": "Gold", "trigger": "interaction.created", "position": 1,
                                                 "conditions": ["expression": #"customer.attributes.tier == "gold""#],
                                                 "actions": ["priority": "urgent"]])
            _ = try await api.post("/v1/rules", ["name": "Everything to service", "trigger": "interaction.created", "position": 2,
                                                 "actions": ["department": "service"]])
            let posted = try await Self.post(api, channel: sms, from: "x@example.com", body: "hello")
            let conversation = try await Self.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
            #expect(conversation["priority"]?.stringValue == "normal")
            #expect(conversation["department_id"]?.stringValue == (try await Self.department(api, "service")))
            let decision = try #require(conversation["decisions"]?.arrayValue?.first)
            #expect(decision["failed_rules"]?.arrayValue?.first?["name"]?.stringValue == "Gold")
            #expect(decision["failed_rules"]?.arrayValue?.first?["reason"]?.stringValue?.contains("tier") == true)
            let status = try await api.get("/v1/routing/status").json
            #expect(status["rule_failures"]?.intValue == 1, "\(status)")
            #expect(status["skipped_events"]?.intValue == 0, "\(status)")
        }
    }

    @Test("dry run shows the matching rules and the plan for a sample, stores nothing, and tries draft rules")
    func dryRun() async throws {
        try await withApp { api, _ in
            // Routing's caches are loaded before the rule exists; the rule's 201 must still count at once.
            #expect(try await api.post("/v1/rules/dry-run", ["body": "hello"]).status == .ok)
            _ = try await api.post("/v1/rules", ["name": "Spam", "trigger": "interaction.created", "stop": true,
                                                 "conditions": ["expression": #"interaction.body.contains("winner")"#],
                                                 "actions": ["suppress": "spam"]])
            let reply = try await api.post("/v1/rules/dry-run", ["body": "You are a winner!"])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["matched_rules"]?.arrayValue?.first?["name"]?.stringValue == "Spam")
            #expect(reply.json["actions"]?["suppress"]?.stringValue == "spam")
            #expect(reply.json["stopped_by"]?.stringValue != nil)
            let drafts = try await api.post("/v1/rules/dry-run", [
                "body": "You are a winner!",
                "rules": [["name": "Draft", "trigger": "interaction.created", "actions": ["department": "marketing"]]],
            ])
            #expect(drafts.json["matched_rules"]?.arrayValue?.map { $0["rule_id"]?.stringValue } == ["draft-0"])
            #expect(drafts.json["actions"]?["department"]?.stringValue == "marketing")
            let invalid = try await api.post("/v1/rules/dry-run", ["rules": [["name": "x", "trigger": "nope", "actions": ["tags": ["a"]]]]])
            expectProblem(invalid, .unprocessableContent)
            #expect(Set(invalid.errorFields) == ["body", "rules[0].trigger"], "\(invalid.text)")
            #expect(try await api.get("/v1/conversations").items.isEmpty)
        }
    }

    @Test("suppressed conversations are kept but hidden from inboxes, and a person can restore them")
    func suppression() async throws {
        try await withApp { api, _ in
            let web = try await api.createChannel(kind: "web", name: "contact form")
            _ = try await api.post("/v1/rules", ["name": "Spam", "trigger": "interaction.created",
                                                 "conditions": ["expression": #"interaction.body.contains("casino")"#],
                                                 "actions": ["suppress": "spam"]])
            let posted = try await Self.post(api, channel: web, from: "bot@example.com", body: "best casino bonus")
            let customer = try #require(posted["customer_id"]?.stringValue)
            let hidden = try await eventually("the suppressed conversation") {
                try await api.get("/v1/conversations?customer_id=\(customer)&suppressed=true").items.first
            }
            #expect(hidden["suppressed"]?.stringValue == "spam")
            #expect(try await api.get("/v1/conversations?customer_id=\(customer)").items.isEmpty)
            let id = try #require(hidden["id"]?.stringValue)
            let restored = try await api.patch("/v1/conversations/\(id)", ["suppressed": nil, "add_tags": ["checked"]])
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(try await api.get("/v1/conversations?customer_id=\(customer)").items.first?["tags"]?.strings == ["checked"])
            expectProblem(try await api.patch("/v1/conversations/\(id)", ["status": "snoozed"]), .unprocessableContent, field: "snoozed_until")
            expectProblem(try await api.patch("/v1/conversations/\(id)", ["queue_id": "nope"]), .unprocessableContent, field: "queue_id")
        }
    }

    @Test("without a matching rule, messages go to the triage department set in the routing settings")
    func triage() async throws {
        try await withApp { api, _ in
            let bad = try await api.request(.put, "/v1/settings/routing", json: ["triage": ["department": "nowhere"]])
            expectProblem(bad, .unprocessableContent, field: "triage.department")
            let set = try await api.request(.put, "/v1/settings/routing", json: ["triage": ["department": "service"], "thread_window_minutes": 60])
            #expect(set.status == .ok, "\(set.text)")
            let phone = try await api.createChannel(kind: "phone", name: "hotline")
            let posted = try await Self.post(api, channel: phone, from: "y@example.com", body: "call me back")
            let conversation = try await Self.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
            #expect(conversation["department_id"]?.stringValue == (try await Self.department(api, "service")))
            #expect(conversation["decisions"]?.arrayValue?.first?["reason"]?.stringValue == "triage")
        }
    }
}
