import HTTPTypes
import RapportCore
import RapportServer
import RapportTestSupport
import Testing

/// Behaviour the OpenAPI document promises and a schemathesis run found missing
/// (docs/contract-findings.md, section b).
@Suite("HTTP: what the OpenAPI document promises")
struct ContractTests {
    @Test("integers written with a fraction are integers; a real fraction is refused naming the field")
    func integralNumbers() async throws {
        try await withApp { api, _ in
            let rule = try await api.request(.post, "/v1/rules", body: #"""
                {"name": "r", "trigger": "interaction.created", "position": 779737.0, "actions": {"department": "service"}}
                """#)
            #expect(rule.status == .created, "\(rule.text)")
            #expect(rule.json["position"]?.intValue == 779_737)
            let fraction = try await api.request(.post, "/v1/rules", body: #"""
                {"name": "r", "trigger": "interaction.created", "position": 779737.5, "actions": {"department": "service"}}
                """#)
            expectProblem(fraction, .unprocessableContent, field: "position")
            let settings = try await api.request(.put, "/v1/settings/routing", body: #"{"thread_window_minutes": 2.0}"#)
            #expect(settings.status == .ok, "\(settings.text)")
        }
    }

    @Test("list items the document requires visible are refused blank; prefixes compare by code point")
    func listItems() async throws {
        try await withApp { api, _ in
            let blankSkill = try await api.post("/v1/rules", ["name": "r", "trigger": "interaction.created",
                                                              "actions": ["department": "service", "skills": [""]]])
            expectProblem(blankSkill, .unprocessableContent, field: "actions.skills[0]")
            // U+2DE3 is a combining mark: it joins "_" into one Character, but "usr_" is still its prefix.
            let notify = try await api.post("/v1/rules", ["name": "r", "trigger": "interaction.created",
                                                          "actions": ["notify": ["usr_\u{2DE3}"]]])
            #expect(notify.status == .created, "\(notify.text)")
            let control = try await api.request(.put, "/v1/settings/survivorship",
                                                json: ["fields": ["name": [["source_priority": ["×ø\u{9B}"]]]]])
            expectProblem(control, .unprocessableContent, field: "fields.name[0]")
        }
    }

    @Test("a rule appended after one at the largest position stays readable")
    func appendAtLargestPosition() async throws {
        try await withApp { api, _ in
            let last = try await api.post("/v1/rules", ["name": "last", "trigger": "interaction.created", "position": 1_000_000_000,
                                                        "actions": ["department": "service"]])
            #expect(last.status == .created, "\(last.text)")
            let appended = try await api.post("/v1/rules", ["name": "appended", "trigger": "interaction.created",
                                                            "actions": ["department": "service"]])
            #expect(appended.status == .created, "\(appended.text)")
            #expect(appended.json["position"]?.intValue == 1_000_000_000)
            let listed = try await api.get("/v1/rules")
            #expect(listed.status == .ok, "\(listed.text)")
            #expect(listed.items.count == 2)
        }
    }

    @Test("a deleted rule's versions are gone with it: 404")
    func deletedRuleVersions() async throws {
        try await withApp { api, _ in
            let rule = try await api.post("/v1/rules", ["name": "r", "trigger": "interaction.created", "actions": ["department": "service"]])
            let id = try #require(rule.json["id"]?.stringValue, "\(rule.text)")
            #expect(try await api.get("/v1/rules/\(id)/versions").items.count == 1)
            #expect(try await api.delete("/v1/rules/\(id)").status == .noContent)
            expectProblem(try await api.get("/v1/rules/\(id)"), .notFound)
            expectProblem(try await api.get("/v1/rules/\(id)/versions"), .notFound)
        }
    }

    @Test("length limits count code points, as JSON Schema's maxLength does")
    func lengthsInCodePoints() async throws {
        try await withApp { api, _ in
            let id = try await api.createChannel(kind: "web", name: "Web")
            // "²🏻" is one Character but two code points: 201 code points in all.
            let long = "²🏻Ĵ" + String(repeating: "*", count: 198)
            #expect(long.count == 200 && long.unicodeScalars.count == 201)
            expectProblem(try await api.patch("/v1/channels/\(id)", ["name": .string(long)]), .unprocessableContent, field: "name")
            let exact = String(long.unicodeScalars.dropLast().map(Character.init))
            #expect(try await api.patch("/v1/channels/\(id)", ["name": .string(exact)]).status == .ok)
        }
    }

    @Test("PUT /v1/keyword-sets/{name} that creates the set answers 201 with Location; replacing it 200")
    func keywordSetLocation() async throws {
        try await withApp { api, _ in
            let created = try await api.request(.put, "/v1/keyword-sets/refunds", json: ["terms": ["refund"]])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.location] == "/v1/keyword-sets/refunds")
            let replaced = try await api.request(.put, "/v1/keyword-sets/refunds", json: ["terms": ["refund", "chargeback"]])
            #expect(replaced.status == .ok)
            #expect(replaced.headers[.location] == nil)
        }
    }
}
