import RapportCore
import RapportTestSupport
import Testing

/// The numbers behind the dashboards agree with the records they summarise.
@Suite("HTTP: reports")
struct ReportsTests {
    @Test("interactions per day and channel, inboxes per department, response times, routing outcomes and the duplicate queue",
          arguments: Backend.available)
    func reports(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let email = try await api.createChannel(kind: "email", name: "support inbox")
            let chat = try await api.createChannel(kind: "chat", name: "web chat")
            let finance = try await RoutingTests.department(api, "finance")
            let rule = try await api.post("/v1/rules", ["name": "Refunds", "trigger": "interaction.created",
                                                        "conditions": ["expression": #"interaction.body.contains("refund")"#],
                                                        "actions": ["department": "finance"]])
            let ruleID = try #require(rule.json["id"]?.stringValue, "\(rule.text)")
            var conversations: [String] = []
            for index in 0..<3 {
                let posted = try await RoutingTests.post(api, channel: email, from: "r\(index)@example.com", body: "refund \(index)")
                let routed = try await RoutingTests.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
                conversations.append(try #require(routed["id"]?.stringValue))
            }
            let chatted = try await RoutingTests.post(api, channel: chat, from: "r0@example.com", body: "hello there")
            _ = try await RoutingTests.routed(api, customer: try #require(chatted["customer_id"]?.stringValue))
            let reply = try await api.post("/v1/interactions", ["channel_id": .string(email), "identity": "email:r0@example.com",
                                                                "direction": "outbound", "body": "Your refund is on its way"])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try await api.patch("/v1/conversations/\(conversations[1])", ["status": "resolved"]).status == .ok)
            // A conversation the company opened: its outbound message answers nothing (it came
            // before the customer wrote), so it is not counted as responded.
            let proactive = try await api.post("/v1/interactions", ["channel_id": .string(chat), "identity": "email:new@example.com",
                                                                    "direction": "outbound", "body": "Your order has shipped"])
            #expect(proactive.status == .created, "\(proactive.text)")

            let perDay = try await api.get("/v1/reports/interactions?days=3")
            #expect(perDay.status == .ok, "\(perDay.text)")
            #expect(perDay.items.count == 3 * 2, "three days by two channels, zeros included")
            let today = try #require(perDay.json["to"]?.stringValue)
            let emailToday = perDay.items.first { $0["date"]?.stringValue == today && $0["channel_id"]?.stringValue == email }
            #expect(emailToday?["inbound"]?.intValue == 3)
            #expect(emailToday?["outbound"]?.intValue == 1)
            let chatToday = perDay.items.first { $0["date"]?.stringValue == today && $0["channel_id"]?.stringValue == chat }
            #expect(chatToday?["inbound"]?.intValue == 1)
            #expect(perDay.items.filter { $0["date"]?.stringValue != today }.allSatisfy { $0["inbound"]?.intValue == 0 })

            let load = try await api.get("/v1/reports/conversations")
            #expect(load.status == .ok)
            let financeLoad = load.json["departments"]?.arrayValue?.first { $0["department_id"]?.stringValue == finance }
            let inbox = try await api.get("/v1/conversations?department_id=finance")
            #expect(financeLoad?["counts"] == inbox.json["counts"])
            // The reply to r0 leaves that conversation waiting on the customer.
            #expect((financeLoad?["counts"]?["open"]?.intValue ?? 0) + (financeLoad?["counts"]?["pending"]?.intValue ?? 0) == 2)
            #expect(financeLoad?["counts"]?["resolved"]?.intValue == 1)

            let times = try await api.get("/v1/reports/response-times?days=1")
            #expect(times.status == .ok, "\(times.text)")
            let financeTimes = times.items.first { $0["department_id"]?.stringValue == finance }
            #expect(financeTimes?["conversations"]?.intValue == 3)
            #expect(financeTimes?["resolved"]?.intValue == 1)
            #expect(financeTimes?["responded"]?.intValue == 1)
            #expect((financeTimes?["average_first_response_seconds"]?.doubleValue ?? -1) >= 0)
            for row in times.items where row["department_id"]?.stringValue != finance {
                #expect(row["responded"]?.intValue == 0, "\(row)")
            }
            #expect(times.items.allSatisfy { ($0["average_first_response_seconds"]?.doubleValue ?? 0) >= 0 })

            let routing = try await api.get("/v1/reports/routing")
            #expect(routing.status == .ok, "\(routing.text)")
            #expect(routing.json["total"]?.intValue == 4)
            #expect(routing.json["by_rule"]?.arrayValue?.first?["rule_id"]?.stringValue == ruleID)
            #expect(routing.json["by_rule"]?.arrayValue?.first?["count"]?.intValue == 3)

            #expect(try await api.get("/v1/reports/duplicates").json["counts"]?.objectValue != nil)
            #expect(try await api.get("/v1/reports/interactions?days=0").status == .badRequest)
            #expect(try await api.get("/v1/reports/routing?days=367").status == .badRequest)
        }
    }
}
