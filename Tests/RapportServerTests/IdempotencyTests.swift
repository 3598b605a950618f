import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: Idempotency-Key")
struct IdempotencyTests {
    @Test("same key and body replay the first response; another body is 422", arguments: Backend.available)
    func replay(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let body: JSONValue = ["name": "Ana Lima", "emails": ["ana@example.com"]]
            let headBefore = try await api.eventHead()

            let first = try await api.post("/v1/customers", body, headers: [.idempotencyKey: "create-ana-1"])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.headers[.idempotentReplayed] == nil)
            let id = try #require(first.json["id"]?.stringValue)

            let second = try await api.post("/v1/customers", body, headers: [.idempotencyKey: "create-ana-1"])
            #expect(second.status == .created, "\(second.text)")
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(second.bytes == first.bytes, "the stored body is replayed byte for byte")
            #expect(second.headers[.eTag] == first.headers[.eTag])
            #expect(second.headers[.location] == first.headers[.location])

            let customers = try await api.allCustomers()
            #expect(customers.compactMap { $0["id"]?.stringValue } == [id])
            #expect(try await api.eventHead() == headBefore + 1, "one change, one event")

            let other = try await api.post("/v1/customers", ["name": "Bo", "emails": ["bo@example.com"]],
                                           headers: [.idempotencyKey: "create-ana-1"])
            expectProblem(other, .unprocessableContent, type: "idempotency-key-reused")
            #expect(other.headers[.idempotentReplayed] == nil)
            #expect(try await api.allCustomers().count == 1)
            expectProblem(try await api.get("/v1/customers/lookup?email=bo%40example.com"), .notFound)
            #expect(try await api.eventHead() == headBefore + 1)

            // Without the key, the same body is a new request: it meets the identity rule.
            expectProblem(try await api.post("/v1/customers", body), .conflict)
            // Another key with the same body is also a new request.
            let fresh = try await api.post("/v1/customers", ["name": "Ana Lima"], headers: [.idempotencyKey: "create-ana-2"])
            #expect(fresh.status == .created)
            #expect(fresh.json["id"]?.stringValue != id)
        }
    }

    @Test("keys are scoped to the caller; a 4xx is not stored against the key")
    func scopeAndFailures() async throws {
        try await withApp { api, _ in
            let agent = try await api.createKey(role: "agent")
            let body: JSONValue = ["name": "Shared Key Customer"]
            let mine = try await api.post("/v1/customers", body, headers: [.idempotencyKey: "k-1"])
            let theirs = try await api.post("/v1/customers", body, auth: .bearer(agent.secret), headers: [.idempotencyKey: "k-1"])
            #expect(mine.status == .created)
            #expect(theirs.status == .created)
            #expect(theirs.headers[.idempotentReplayed] == nil)
            #expect(mine.json["id"] != theirs.json["id"])

            // A refused write (conflict) is not remembered: after the holder is gone, the retry succeeds.
            let holder = try #require(try await api.createCustomer(["name": "Holder", "emails": ["x@example.com"]])["id"]?.stringValue)
            let claim: JSONValue = ["name": "Claimant", "emails": ["x@example.com"]]
            expectProblem(try await api.post("/v1/customers", claim, headers: [.idempotencyKey: "claim-x"]), .conflict)
            #expect(try await api.delete("/v1/customers/\(holder)").status == .noContent)
            let retry = try await api.post("/v1/customers", claim, headers: [.idempotencyKey: "claim-x"])
            #expect(retry.status == .created, "\(retry.text)")
            #expect(retry.headers[.idempotentReplayed] == nil)

            expectProblem(try await api.post("/v1/customers", body, headers: [.idempotencyKey: "has space"]),
                          .badRequest, field: "Idempotency-Key")
        }
    }

    @Test("concurrent retries with one key create one record and all get its response", arguments: Backend.available)
    func concurrentRetries(backend: Backend) async throws {
        try await withApp(backend) { api, adminKey in
            let body = JSONValue.object(["name": "Retried", "emails": ["retry@example.com"]]).serialized()
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await api.withConnection { connection in
                            let response = try await connection.execute(TestClient.Request(
                                "/v1/customers", method: .post,
                                headers: [.authorization: "Bearer \(adminKey)", .contentType: "application/json",
                                          .idempotencyKey: "same-retry"],
                                body: ByteBuffer(bytes: body)))
                            return Reply(status: response.status, headers: response.headers,
                                         bytes: response.body.map { Array($0.readableBytesView) } ?? [])
                        }
                    }
                }
                var replies: [Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(replies.map(\.status) == Array(repeating: .created, count: 10), "\(replies.map(\.text))")
            #expect(Set(replies.map(\.bytes)).count == 1, "every retry sees the same body")
            #expect(replies.filter { $0.headers[.idempotentReplayed] == nil }.count == 1, "exactly one ran the write")
            #expect(try await api.allCustomers().count == 1)
            #expect(try await api.events().filter { $0["type"]?.stringValue == "rapport.customer.created" }.count == 1)
        }
    }

    @Test("interactions replay under Idempotency-Key too")
    func interactionReplay() async throws {
        try await withApp { api, _ in
            let web = try await api.createChannel(kind: "web", name: "Web")
            let body: JSONValue = ["channel_id": .string(web), "identity": "email:visitor@example.com", "kind": "page_view"]
            let first = try await api.post("/v1/interactions", body, headers: [.idempotencyKey: "visit-1"])
            #expect(first.status == .created)
            let second = try await api.post("/v1/interactions", body, headers: [.idempotencyKey: "visit-1"])
            #expect(second.status == .created)
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(second.bytes == first.bytes)
            #expect(try await api.get("/v1/interactions").items.count == 1)
        }
    }
}
