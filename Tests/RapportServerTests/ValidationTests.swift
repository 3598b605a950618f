import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: bad input")
struct ValidationTests {
    /// Runs `body`, then checks that neither customers nor events were added.
    private func expectNothingStored(_ api: API, sourceLocation: SourceLocation = #_sourceLocation,
                                     _ body: () async throws -> Void) async throws {
        let head = try await api.eventHead()
        let customers = try await api.allCustomers()
        try await body()
        #expect(try await api.eventHead() == head, "the event log grew", sourceLocation: sourceLocation)
        #expect(try await api.allCustomers() == customers, "customers changed", sourceLocation: sourceLocation)
    }

    @Test("malformed JSON is 400 naming the body", arguments: Backend.available)
    func malformedJSON(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await expectNothingStored(api) {
                let reply = try await api.request(.post, "/v1/customers", body: #"{"name": "Ana", "#)
                expectProblem(reply, .badRequest, type: "malformed-json", field: "body")
                expectProblem(try await api.request(.post, "/v1/customers", body: "{'name': 'Ana'}"), .badRequest, field: "body")
                expectProblem(try await api.request(.post, "/v1/customers", body: ""), .badRequest, field: "body")
                expectProblem(try await api.request(.post, "/v1/customers", body: #"{"name": "Ana"} trailing"#), .badRequest, field: "body")
            }
        }
    }

    @Test("wrong types and unknown fields are 422 naming each field", arguments: Backend.available)
    func wrongTypesAndUnknownFields(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await expectNothingStored(api) {
                expectProblem(try await api.post("/v1/customers", ["name": 5]), .unprocessableContent, type: "validation-failed", field: "name")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "emails": "ana@example.com"]),
                              .unprocessableContent, field: "emails")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "attributes": ["a", "b"]]),
                              .unprocessableContent, field: "attributes")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "kind": "robot"]), .unprocessableContent, field: "kind")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "lifecycle_stage": 3]),
                              .unprocessableContent, field: "lifecycle_stage")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "nickname": "Annie"]),
                              .unprocessableContent, field: "nickname")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "addresses": [["city": "Berlin", "zip": "10115"]]]),
                              .unprocessableContent, field: "addresses[0].zip")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "attributes": ["bad key!": 1]]),
                              .unprocessableContent, field: "attributes.bad key!")
                expectProblem(try await api.post("/v1/customers", ["emails": ["ana@example.com"]]), .unprocessableContent, field: "name")
                expectProblem(try await api.post("/v1/customers", ["Ana"]), .unprocessableContent, field: "body")
                expectProblem(try await api.post("/v1/customers", "Ana"), .unprocessableContent, field: "body")

                // Every bad field is reported, not just the first.
                let many = try await api.post("/v1/customers", ["name": 5, "company": true, "extra": 1])
                expectProblem(many, .unprocessableContent)
                #expect(Set(many.errorFields) == ["name", "company", "extra"])
            }
            // PATCH validates the same way and leaves the record alone.
            let id = try #require(try await api.createCustomer(["name": "Ana"])["id"]?.stringValue)
            try await expectNothingStored(api) {
                expectProblem(try await api.patch("/v1/customers/\(id)", ["name": 5]), .unprocessableContent, field: "name")
                expectProblem(try await api.patch("/v1/customers/\(id)", ["name": nil]), .unprocessableContent, field: "name")
                expectProblem(try await api.patch("/v1/customers/\(id)", ["nickname": "x"]), .unprocessableContent, field: "nickname")
                expectProblem(try await api.request(.patch, "/v1/customers/\(id)", body: "{"), .badRequest, field: "body")
            }
            #expect(try await api.get("/v1/customers/\(id)").json["version"]?.intValue == 1)
        }
    }

    @Test("bad identities are 422 naming the element", arguments: Backend.available)
    func badIdentities(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await expectNothingStored(api) {
                let badEmail = try await api.post("/v1/customers", ["name": "Ana", "emails": ["ana@example.com", "not-an-email"]])
                expectProblem(badEmail, .unprocessableContent, field: "emails[1]")
                #expect(!badEmail.errorFields.contains("emails[0]"))
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "phones": ["+1 415 555 2671", "call me"]]),
                              .unprocessableContent, field: "phones[1]")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "identities": ["ana@example.com"]]),
                              .unprocessableContent, field: "identities[0]")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "identities": ["fax:+14155552671"]]),
                              .unprocessableContent, field: "identities[0]")
                expectProblem(try await api.post("/v1/customers", ["name": "Ana", "emails": ["a@example.com", 7]]),
                              .unprocessableContent, field: "emails[1]")
            }
            expectProblem(try await api.get("/v1/customers/lookup?email=ana%40example.com"), .notFound)
        }
    }

    @Test("bad query parameters are 400 naming them", arguments: Backend.available)
    func badQueries(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            for limit in ["0", "-1", "abc", "501", "1.5"] {
                expectProblem(try await api.get("/v1/customers?limit=\(limit)"), .badRequest, field: "limit")
            }
            expectProblem(try await api.get("/v1/interactions?limit=0"), .badRequest, field: "limit")
            expectProblem(try await api.get("/v1/events?limit=1001"), .badRequest, field: "limit")
            expectProblem(try await api.get("/v1/events?after=-3"), .badRequest, field: "after")
            expectProblem(try await api.get("/v1/events?after=abc"), .badRequest, field: "after")
            expectProblem(try await api.get("/v1/customers?lifecycle_stage=vip"), .badRequest, field: "lifecycle_stage")
            #expect(try await api.get("/v1/customers?limit=500").status == .ok)
            #expect(try await api.get("/v1/customers?limit=1").status == .ok)
        }
    }

    @Test("other content types are 415", arguments: Backend.available)
    func unsupportedMediaType(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await expectNothingStored(api) {
                let reply = try await api.request(.post, "/v1/customers", body: #"{"name": "Ana"}"#, contentType: "text/plain")
                expectProblem(reply, .unsupportedMediaType, type: "unsupported-media-type")
                expectProblem(try await api.request(.post, "/v1/customers", body: "name=Ana",
                                                    contentType: "application/x-www-form-urlencoded"), .unsupportedMediaType)
            }
            // JSON with parameters and +json types are accepted.
            #expect(try await api.request(.post, "/v1/customers", body: #"{"name": "Ana"}"#,
                                          contentType: "application/json; charset=utf-8").status == .created)
            #expect(try await api.request(.post, "/v1/customers", body: #"{"name": "Bo"}"#,
                                          contentType: "application/merge-patch+json").status == .created)
        }
    }

    @Test("a body over maxBodyBytes is 413 and nothing is stored")
    func oversizedBody() async throws {
        try await withApp(maxBodyBytes: 2048) { api, adminKey in
            let small = try await api.post("/v1/customers", ["name": "Small"])
            #expect(small.status == .created)
            try await expectNothingStored(api) {
                let big = JSONValue.object(["name": "Big", "attributes": ["padding": .string(String(repeating: "x", count: 10_240))]])
                    .serialized()
                #expect(big.count > 10_000)
                // Its own connection: the server may close it after refusing the rest of the body.
                let reply = try await api.withConnection { connection in
                    let response = try await connection.execute(TestClient.Request(
                        "/v1/customers", method: .post,
                        headers: [.authorization: "Bearer \(adminKey)", .contentType: "application/json"],
                        body: ByteBuffer(bytes: big)))
                    return Reply(status: response.status, headers: response.headers,
                                 bytes: response.body.map { Array($0.readableBytesView) } ?? [])
                }
                expectProblem(reply, .contentTooLarge, type: "body-too-large")
                let onShared = try await api.post("/v1/customers", .object(["name": "Big",
                                                                            "company": .string(String(repeating: "y", count: 3000))]))
                expectProblem(onShared, .contentTooLarge)
            }
            // The server still answers on the shared connection.
            #expect(try await api.get("/v1/customers").items.count == 1)
        }
    }

    @Test("unknown routes are problem+json 404")
    func unknownRoute() async throws {
        try await withApp { api, _ in
            expectProblem(try await api.get("/v1/nothing-here"), .notFound)
            expectProblem(try await api.get("/nothing-here", auth: .none), .notFound)
        }
    }
}

@Suite("HTTP: query parameters and headers the contract refuses")
struct QueryContractTests {
    @Test("an empty or repeated query parameter is refused naming it; an empty If-Match too")
    func emptyAndRepeatedParameters() async throws {
        try await withApp { api, _ in
            expectProblem(try await api.get("/v1/conversations?status="), .badRequest, field: "status")
            expectProblem(try await api.get("/v1/customers?updated_since="), .badRequest, field: "updated_since")
            expectProblem(try await api.get("/v1/customers?limit=5&limit=6"), .badRequest, field: "limit")
            let customer = try await api.createCustomer(["name": "Ana"])
            let id = try #require(customer["id"]?.stringValue)
            expectProblem(try await api.get("/v1/customers/\(id)?include="), .badRequest, field: "include")
            let patched = try await api.request(.patch, "/v1/customers/\(id)", json: ["name": "Bo"], headers: [.ifMatch: ""])
            expectProblem(patched, .badRequest, field: "If-Match")
            #expect(try await api.get("/v1/customers/\(id)").json["name"]?.stringValue == "Ana")
            #expect(try await api.get("/v1/customers?limit=5").status == .ok)
        }
    }

    @Test("a malformed cursor beside after is refused, and keyword matching refuses \"sets\": null")
    func cursorAndNullSets() async throws {
        try await withApp { api, _ in
            expectProblem(try await api.get("/v1/events?after=0&cursor=nonsense"), .badRequest, field: "cursor")
            #expect(try await api.get("/v1/events?after=0&cursor=3").status == .ok)
            let null = try await api.post("/v1/keyword-sets/match", ["text": "refund please", "sets": nil])
            expectProblem(null, .unprocessableContent, field: "sets")
        }
    }
}
