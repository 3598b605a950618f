import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: duplicate detection")
struct DuplicateTests {
    static func person(_ name: String, email: String, street: String = "12 Main Street", dob: String = "1990-04-12") -> JSONValue {
        ["name": .string(name), "emails": [.string(email)],
         "addresses": [["line1": .string(street), "postal_code": "10115", "city": "Berlin", "country": "DE"]],
         "attributes": ["date_of_birth": .string(dob)]]
    }

    /// The review queue's candidates with `status`, once there are `count` of them (the check runs
    /// just after the commit).
    static func candidates(_ api: API, status: String = "open", count: Int,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> [JSONValue] {
        try await eventually("\(count) \(status) duplicate candidates", sourceLocation: sourceLocation) {
            let items = try await api.get("/v1/duplicates?status=\(status)").items
            return items.count >= count ? items : nil
        }
    }

    @Test("a new customer like an existing one is proposed with an explanation; accepting merges them", arguments: Backend.available)
    func proposeAndAccept(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let first = try #require(try await api.createCustomer(Self.person("Ana Lima", email: "ana@example.com"))["id"]?.stringValue)
            _ = try await api.createCustomer(Self.person("Bruno Costa", email: "bruno@example.com", street: "3 Side Road", dob: "1971-09-30"))
            let second = try #require(try await api.createCustomer(Self.person("Ana Lima", email: "ana.lima@work.example"))["id"]?.stringValue)
            let open = try await Self.candidates(api, count: 1)
            try #require(open.count == 1, "expected one candidate, got \(open)")
            let candidate = open[0]
            #expect(candidate["customer_ids"]?.strings == [first, second])
            #expect((candidate["probability"]?.doubleValue ?? 0) >= 0.5)
            let fields = candidate["explanation"]?["fields"]?.arrayValue ?? []
            #expect(fields.contains { $0["field"]?.stringValue == "name" && $0["grade"]?.stringValue == "exact" }, "\(candidate)")
            #expect(fields.contains { $0["field"]?.stringValue == "date_of_birth" && ($0["weight"]?.doubleValue ?? 0) > 0 })
            #expect(candidate["explanation"]?["grades"]?.arrayValue?.count == fields.count)
            let id = try #require(candidate["id"]?.stringValue)

            let accepted = try await api.post("/v1/duplicates/\(id)/accept", [:])
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.json["status"]?.stringValue == "accepted")
            #expect(accepted.json["merge"]?["survivor_id"]?.stringValue == first)
            #expect(try await api.get("/v1/customers/\(second)").status == .temporaryRedirect)
            expectProblem(try await api.post("/v1/duplicates/\(id)/reject", [:]), .conflict)
            #expect(try await api.get("/v1/duplicates?status=accepted").items.count == 1)
        }
    }

    @Test("a rejected pair is remembered and not proposed again", arguments: Backend.available)
    func rejectionIsRemembered(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(Self.person("Ana Lima", email: "ana@example.com"))
            let second = try #require(try await api.createCustomer(Self.person("Ana Lima", email: "ana2@example.com"))["id"]?.stringValue)
            let open = try await Self.candidates(api, count: 1)
            let id = try #require(open.first?["id"]?.stringValue)
            let rejected = try await api.post("/v1/duplicates/\(id)/reject", [:])
            #expect(rejected.json["status"]?.stringValue == "rejected")
            // A later change re-checks the customer; the pair stays rejected.
            #expect(try await api.patch("/v1/customers/\(second)", ["company": "Lima GmbH"]).status == .ok)
            // The monitor saves its position after checking what it read: once that has passed the
            // update, the re-check is done.
            try await api.waitForConsumer("duplicate-monitor", toReach: try await api.eventHead())
            #expect(try await api.get("/v1/duplicates").items.isEmpty)
            #expect(try await api.get("/v1/duplicates?status=rejected").items.count == 1)
        }
    }

    @Test("automatic merging above the threshold happens only when switched on", arguments: Backend.available)
    func automaticMerge(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.request(.put, "/v1/settings/matching", json: ["review_threshold": 1.5]),
                          .unprocessableContent, field: "review_threshold")
            expectProblem(try await api.request(.put, "/v1/settings/matching", json: ["review_threshold": 0.9, "auto_merge_threshold": 0.5]),
                          .unprocessableContent, field: "auto_merge_threshold")
            let saved = try await api.request(.put, "/v1/settings/matching", json: ["auto_merge": true, "auto_merge_threshold": 0.6])
            #expect(saved.status == .ok, "\(saved.text)")
            #expect(try await api.get("/v1/settings/matching").json["auto_merge"] == .bool(true))
            let first = try #require(try await api.createCustomer(Self.person("Ana Lima", email: "ana@example.com"))["id"]?.stringValue)
            let second = try #require(try await api.createCustomer(Self.person("Ana Lima", email: "ana@work.example"))["id"]?.stringValue)
            let accepted = try await Self.candidates(api, status: "accepted", count: 1)
            #expect(accepted.first?["merge_id"]?.stringValue != nil)
            #expect(accepted.first?["decided_by"]?.stringValue == "system")
            let survivor = try await api.get("/v1/customers/\(first)")
            #expect(survivor.json["emails"]?.strings == ["ana@example.com", "ana@work.example"])
            #expect(try await api.get("/v1/customers/\(second)").status == .temporaryRedirect)
        }
    }

    @Test("the model retrains on request and the status reports it", arguments: Backend.available)
    func trainAndStatus(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            for index in 0..<30 {
                _ = try await api.createCustomer(Self.person("Person \(index)", email: "p\(index)@example.com",
                                                             street: "\(index) Long Road", dob: "19\(50 + index)-01-0\(index % 9 + 1)"))
            }
            // The monitor indexes each customer just after its commit.
            try await waitUntil("the match index to hold 30 customers") {
                try await api.get("/v1/matching/status").json["customers"]?.intValue == 30
            }
            let trained = try await api.post("/v1/matching/train", [:])
            #expect(trained.status == .ok, "\(trained.text)")
            #expect(trained.json["version"]?.intValue == 1)
            #expect(trained.json["summary"]?["customers"]?.intValue == 30)
            let status: JSONValue = try await eventually("the monitor to use model version 1") {
                let status = try await api.get("/v1/matching/status").json
                guard status["model_version"]?.intValue == 1 else { return nil }
                return status
            }
            #expect(status["ready"] == .bool(true))
            #expect(status["model_version"]?.intValue == 1)
            #expect(status["customers"]?.intValue == 30)
        }
    }
}
