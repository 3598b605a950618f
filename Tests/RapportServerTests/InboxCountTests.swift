import RapportCore
import RapportTestSupport
import Testing

/// Inbox counts are kept as conversations change (not counted on every read): whatever happens
/// to conversations, each inbox's counts equal what it lists.
@Suite("HTTP: inbox counts")
struct InboxCountTests {
    /// The counts an inbox answers, and those of everything it lists (all statuses, one page).
    static func counts(_ api: API, _ filter: String) async throws -> (answered: [String: Int64], listed: [String: Int64]) {
        let reply = try await api.get("/v1/conversations?limit=500\(filter.isEmpty ? "" : "&" + filter)")
        #expect(reply.status == .ok, "\(filter): \(reply.text)")
        var answered: [String: Int64] = [:]
        for (status, value) in reply.json["counts"]?.objectValue ?? [:] where (value.intValue ?? 0) != 0 {
            answered[status] = value.intValue
        }
        var listed: [String: Int64] = [:]
        for item in reply.items { listed[item["status"]?.stringValue ?? "?", default: 0] += 1 }
        return (answered, listed)
    }

    @Test("counts of every inbox equal what it lists after routing, assigning, resolving, moving and suppressing",
          arguments: Backend.available)
    func keptCounts(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let email = try await api.createChannel(kind: "email", name: "support inbox")
            _ = try await RoutingTests.department(api, "finance")
            let ana = try await RoutingTests.user(api, "ana", capacity: 2)
            let ben = try await RoutingTests.user(api, "ben", capacity: 2)
            let queue = try await api.post("/v1/queues", ["department_id": "finance", "key": "refunds", "name": "Refunds",
                                                          "strategy": "round_robin", "member_ids": [.string(ana), .string(ben)]])
            let queueID = try #require(queue.json["id"]?.stringValue, "\(queue.text)")
            _ = try await api.post("/v1/rules", ["name": "Refunds", "trigger": "interaction.created",
                                                 "conditions": ["expression": #"interaction.body.contains("refund")"#],
                                                 "actions": ["department": "finance", "queue": "refunds"]])
            var conversations: [String] = []
            for index in 0..<6 {
                let posted = try await RoutingTests.post(api, channel: email, from: "c\(index)@example.com",
                                                         body: index < 5 ? "refund \(index)" : "hello")
                let routed = try await RoutingTests.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
                conversations.append(try #require(routed["id"]?.stringValue))
            }
            // Five routed to finance (four assigned, capacity 2 each; one waits); one left alone.
            #expect(try await api.patch("/v1/conversations/\(conversations[0])", ["status": "resolved"]).status == .ok)
            #expect(try await api.patch("/v1/conversations/\(conversations[1])", ["assignee_id": .null]).status == .ok)
            #expect(try await api.patch("/v1/conversations/\(conversations[2])", ["department_id": "service", "queue_id": .null]).status == .ok)
            #expect(try await api.patch("/v1/conversations/\(conversations[3])", ["suppressed": "spam"]).status == .ok)
            #expect(try await api.patch("/v1/conversations/\(conversations[5])", ["assignee_id": .string(ben)]).status == .ok)

            let filters = ["", "department_id=finance", "department_id=service", "queue_id=\(queueID)", "assignee_id=\(ana)",
                           "assignee_id=\(ben)", "department_id=finance&unassigned=true",
                           // Not kept: counted on the spot, and must agree all the same.
                           "department_id=finance&assignee_id=\(ana)", "suppressed=true"]
            for filter in filters {
                let (answered, listed) = try await Self.counts(api, filter)
                #expect(answered == listed, "inbox \(filter.isEmpty ? "(all)" : filter)")
            }
            let all = try await Self.counts(api, "")
            #expect(all.answered.values.reduce(0, +) == 5, "the suppressed conversation is not in the inboxes")

            // include=customer: each row names its customer, so an inbox needs no request per row.
            let named = try await api.get("/v1/conversations?department_id=finance&include=customer")
            #expect(!named.items.isEmpty)
            for item in named.items {
                #expect(item["customer"]?["id"] == item["customer_id"])
                #expect(item["customer"]?["name"]?.stringValue?.hasSuffix("@example.com") == true)
            }
            #expect(try await api.get("/v1/conversations?include=everything").status == .badRequest)
        }
    }
}
