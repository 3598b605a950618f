import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: keyword sets in routing")
struct KeywordSetTests {
    @Test("keyword sets route Chinese and full-width messages; hits are explained with offsets; bad terms are refused by index",
          arguments: Backend.available)
    func keywordRouting(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let bad = try await api.request(.put, "/v1/keyword-sets/refunds", json: ["terms": ["refund", "", "   ", 7]])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorFields) == ["terms[1]", "terms[2]", "terms[3]"], "\(bad.text)")
            let created = try await api.request(.put, "/v1/keyword-sets/refunds", json: ["terms": ["refund", "money back", "退款", "退货"], "whole_words": true])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["term_count"]?.intValue == 4)
            let again = try await api.request(.put, "/v1/keyword-sets/refunds", json: ["terms": ["refund", "money back", "退款", "退货", "chargeback"], "whole_words": true])
            #expect(again.status == .ok)
            #expect(again.json["version"]?.intValue == 2)

            let rule = try await api.post("/v1/rules", ["name": "Refunds", "trigger": "interaction.created",
                                                        "conditions": ["keywords_any": ["refunds"]],
                                                        "actions": ["department": "finance", "tags": ["refund"]]])
            #expect(rule.status == .created, "\(rule.text)")
            let chat = try await api.createChannel(kind: "chat", name: "wechat")
            let posted = try await RoutingTests.post(api, channel: chat, from: "wang@example.cn", body: "你好，我要退款，谢谢")
            let conversation = try await RoutingTests.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
            #expect(conversation["department_id"]?.stringValue == (try await RoutingTests.department(api, "finance")))
            let decision = try #require(conversation["decisions"]?.arrayValue?.first)
            let hit = try #require(decision["keywords"]?["refunds"]?.arrayValue?.first)
            #expect(hit["term"]?.stringValue == "退款")
            #expect(hit["start"]?.intValue == 5)
            #expect(hit["end"]?.intValue == 7)
            #expect(decision["matched_rules"]?.arrayValue?.first?["keyword_sets"]?.strings == ["refunds"])

            // Full-width Latin matches; a longer word does not (whole words).
            let wide = try await api.post("/v1/keyword-sets/match", ["text": "ＲＥＦＵＮＤ please, not refunded"])
            #expect(wide.status == .ok, "\(wide.text)")
            #expect(wide.items.count == 1)
            #expect(wide.items.first?["start"]?.intValue == 0)
            #expect(wide.items.first?["end"]?.intValue == 6)
            expectProblem(try await api.post("/v1/keyword-sets/match", ["text": "x", "sets": ["nope"]]), .unprocessableContent, field: "sets[0]")

            // A set in use cannot be deleted; rules naming unknown sets are refused.
            expectProblem(try await api.delete("/v1/keyword-sets/refunds"), .conflict)
            let unknown = try await api.post("/v1/rules", ["name": "x", "trigger": "interaction.created",
                                                           "conditions": ["keywords_none": ["ghost"]], "actions": ["tags": ["x"]]])
            expectProblem(unknown, .unprocessableContent, field: "conditions.keywords_none[0]")
            #expect(try await api.get("/v1/keyword-sets").items.first?["terms"] == nil)
            #expect(try await api.get("/v1/keyword-sets/refunds").json["terms"]?.strings.count == 5)
        }
    }
}
