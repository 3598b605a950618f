import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: the classifier in routing")
struct ClassifierRoutingTests {
    static let examples: [(String, String)] = {
        let finance = ["I want a refund for my order", "please refund the double charge", "my invoice is wrong",
                       "payment failed but money was taken", "how do I pay my bill", "charged twice on my card",
                       "请给我退款", "发票金额不对", "我被重复扣款了", "退款什么时候到账"]
        let sales = ["what does the premium plan cost", "can I get a demo of the product", "I would like to buy ten licences",
                     "do you offer volume discounts", "pricing for enterprise customers", "I want to upgrade my plan",
                     "企业版多少钱", "我想购买十个账号", "可以给我演示一下吗", "有批量折扣吗"]
        let service = ["the app crashes when I log in", "I cannot reset my password", "the website is not loading",
                       "my account is locked", "the device stopped working", "error message when saving",
                       "我登录不了", "密码重置不了", "应用一直闪退", "网站打不开"]
        // Each phrase in a few wordings, so the model has enough examples to calibrate its confidence.
        let wordings = ["%@", "hello, %@", "%@ thanks", "hi team: %@!", "%@, please help", "你好，%@"]
        func expand(_ phrases: [String], _ label: String) -> [(String, String)] {
            phrases.flatMap { phrase in wordings.map { (String(format: $0, phrase), label) } }
        }
        return expand(finance, "finance") + expand(sales, "sales") + expand(service, "service")
    }()

    @Test("a model trained over the API routes messages by its label, explains the prediction, and sends unsure ones to triage",
          arguments: Backend.available)
    func routeByPrediction(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.post("/v1/classifier/predict", ["text": "refund"]), .notFound)
            let bad = try await api.post("/v1/classifier/train", ["examples": [["text": "", "label": "x"], ["text": "y"]]])
            expectProblem(bad, .unprocessableContent)
            #expect(Set(bad.errorFields) == ["examples[0].text", "examples[1].label"], "\(bad.text)")
            let oneLabel = try await api.post("/v1/classifier/train", ["examples": [["text": "a", "label": "x"], ["text": "b", "label": "x"]]])
            expectProblem(oneLabel, .unprocessableContent)

            let body: JSONValue = ["examples": .array(Self.examples.map { ["text": .string($0.0), "label": .string($0.1)] })]
            let trained = try await api.post("/v1/classifier/train", body)
            #expect(trained.status == .created, "\(trained.text)")
            #expect(trained.json["version"]?.intValue == 1)
            #expect(trained.json["summary"]?["examples"]?.intValue == Int64(Self.examples.count))
            // What a model trained without half of them made of that half: the admin's figure.
            let heldOut = trained.json["summary"]?["held_out"]
            #expect(heldOut?["examples"]?.intValue ?? 0 > 0, "\(trained.text)")
            #expect((0...1).contains(heldOut?["accuracy"]?.doubleValue ?? -1), "\(trained.text)")
            #expect(try await api.get("/v1/classifier").json["current_version"]?.intValue == 1)
            _ = try await api.request(.put, "/v1/settings/routing", json: ["triage": ["department": "service"], "classifier": ["min_confidence": 0.5]])

            // Read your writes: the model the 201 acknowledged answers the very next request.
            let predicted = try await api.post("/v1/classifier/predict", ["text": "我要退款"])
            #expect(predicted.status == .ok, "\(predicted.text)")
            let prediction = predicted.json
            #expect(prediction["label"]?.stringValue == "finance")
            #expect(prediction["model_version"]?.intValue == 1)

            let chat = try await api.createChannel(kind: "chat", name: "chat")
            let posted = try await RoutingTests.post(api, channel: chat, from: "li@example.cn", body: "我被重复扣款了，请退款")
            let conversation = try await RoutingTests.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
            let decision = try #require(conversation["decisions"]?.arrayValue?.first)
            #expect(decision["prediction"]?["label"]?.stringValue == "finance", "\(decision)")
            #expect(decision["reason"]?.stringValue == "prediction", "\(decision)")
            #expect(conversation["department_id"]?.stringValue == (try await RoutingTests.department(api, "finance")))

            // With a bar no prediction can reach, the same message goes to triage.
            // The settings' event comes before the message's on the log, so routing reads it first.
            _ = try await api.request(.put, "/v1/settings/routing", json: ["triage": ["department": "service"], "classifier": ["min_confidence": 1.0]])
            let unsure = try await RoutingTests.post(api, channel: chat, from: "zhao@example.cn", body: "我被重复扣款了，请退款")
            let triaged = try await RoutingTests.routed(api, customer: try #require(unsure["customer_id"]?.stringValue))
            #expect(triaged["decisions"]?.arrayValue?.first?["reason"]?.stringValue == "triage")
            #expect(triaged["department_id"]?.stringValue == (try await RoutingTests.department(api, "service")))
        }
    }

    @Test("resolved conversations are the labelled history the classifier trains on")
    func trainFromHistory() async throws {
        try await withApp { api, _ in
            let email = try await api.createChannel(kind: "email", name: "inbox")
            // Route by keywords in rules, then resolve: the department that handled each is its label.
            _ = try await api.post("/v1/rules", ["name": "money", "trigger": "interaction.created",
                                                 "conditions": ["expression": #"interaction.body.contains("refund") || interaction.body.contains("invoice")"#],
                                                 "actions": ["department": "finance"]])
            _ = try await api.post("/v1/rules", ["name": "other", "trigger": "interaction.created", "position": 1_000,
                                                 "conditions": ["expression": #"!interaction.body.contains("refund") && !interaction.body.contains("invoice")"#],
                                                 "actions": ["department": "service"]])
            let texts = ["refund please", "my invoice is wrong", "refund the charge", "invoice missing", "login broken", "app crashes", "password reset fails", "site down"]
            for (number, text) in texts.enumerated() {
                let posted = try await RoutingTests.post(api, channel: email, from: "h\(number)@example.com", body: text)
                let conversation = try await RoutingTests.routed(api, customer: try #require(posted["customer_id"]?.stringValue))
                let id = try #require(conversation["id"]?.stringValue)
                #expect(try await api.patch("/v1/conversations/\(id)", ["status": "resolved"]).status == .ok)
            }
            let trained = try await api.request(.post, "/v1/classifier/train")
            #expect(trained.status == .created, "\(trained.text)")
            #expect(trained.json["summary"]?["source"]?.stringValue == "history")
            #expect(trained.json["summary"]?["examples"]?.intValue == Int64(texts.count))
            #expect(Set(trained.json["summary"]?["labels"]?.strings ?? []) == ["finance", "service"])
        }
    }
}
