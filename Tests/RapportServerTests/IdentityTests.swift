import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: identities")
struct IdentityTests {
    @Test("emails and phones are stored in canonical form", arguments: Backend.available)
    func normalization(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let customer = try await api.createCustomer([
                "name": "Ana Lima",
                "emails": ["  Ana.Lima@Example.COM "],
                "phones": ["(415) 555-2671", "+49 30 1234567"],
                "identities": ["social:twitter:@AnaLima", "external:shopify:10023"],
            ])
            let id = try #require(customer["id"]?.stringValue)
            #expect(customer["emails"]?.strings == ["ana.lima@example.com"])
            #expect(customer["phones"]?.strings == ["+14155552671", "+49301234567"])
            #expect(customer["identities"]?.strings == [
                "email:ana.lima@example.com", "phone:+14155552671", "phone:+49301234567",
                "social:twitter:analima", "external:shopify:10023",
            ])

            let listed = try await api.get("/v1/customers/\(id)/identities")
            #expect(listed.status == .ok)
            #expect(listed.items.compactMap { $0["qualified"]?.stringValue } == customer["identities"]?.strings)
            #expect(listed.items.first?["kind"]?.stringValue == "email")
            #expect(listed.items.first?["value"]?.stringValue == "ana.lima@example.com")
        }
    }

    @Test("lookup by identity, email and phone", arguments: Backend.available)
    func lookup(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let id = try #require(try await api.createCustomer([
                "name": "Ana Lima", "emails": ["ana@example.com"], "phones": ["(415) 555-2671", "+49 30 1234567"],
            ])["id"]?.stringValue)
            _ = try await api.createCustomer(["name": "Someone Else", "emails": ["else@example.com"]])

            for query in [
                "identity=" + encodeQuery("email: ANA@Example.com"),
                "identity=" + encodeQuery("EMAIL:ana@example.com"),
                "email=" + encodeQuery(" Ana@EXAMPLE.com"),
                "phone=" + encodeQuery("(415) 555-2671"),
                "phone=" + encodeQuery("+1 415-555-2671"),
                "identity=" + encodeQuery("phone:+49 30 1234567"),
                "phone=" + encodeQuery("+49301234567"),
            ] {
                let reply = try await api.get("/v1/customers/lookup?\(query)")
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                #expect(reply.json["id"]?.stringValue == id, "\(query)")
                #expect(reply.headers[.eTag] == etag(id, version: 1), "\(query)")
            }
            expectProblem(try await api.get("/v1/customers/lookup?email=nobody%40example.com"), .notFound, type: "not-found")
            expectProblem(try await api.get("/v1/customers/lookup?phone=" + encodeQuery("(212) 555-0100")), .notFound)
            expectProblem(try await api.get("/v1/customers/lookup"), .badRequest, field: "identity")
            expectProblem(try await api.get("/v1/customers/lookup?identity=ana"), .badRequest, field: "identity")
            expectProblem(try await api.get("/v1/customers/lookup?identity=fax:123"), .badRequest, field: "identity")
        }
    }

    @Test("a second customer claiming an identity gets 409 naming the holder", arguments: Backend.available)
    func conflictNamesHolder(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let holder = try #require(try await api.createCustomer([
                "name": "Holder", "emails": ["taken@example.com"], "phones": ["(415) 555-2671"],
            ])["id"]?.stringValue)
            let head = try await api.eventHead()

            let byEmail = try await api.post("/v1/customers", ["name": "Claimant", "emails": ["free@example.com", "TAKEN@example.com"]])
            expectProblem(byEmail, .conflict, type: "conflict", field: "emails")
            #expect(byEmail.json["holder_id"]?.stringValue == holder)

            let byPhone = try await api.post("/v1/customers", ["name": "Claimant", "phones": ["+1 415 555 2671"]])
            expectProblem(byPhone, .conflict, field: "phones")
            #expect(byPhone.json["holder_id"]?.stringValue == holder)

            let byIdentity = try await api.post("/v1/customers", ["name": "Claimant", "identities": ["email:taken@example.com"]])
            expectProblem(byIdentity, .conflict)
            #expect(byIdentity.json["holder_id"]?.stringValue == holder)

            // Nothing of the refused requests was stored, not even the free email.
            #expect(try await api.eventHead() == head)
            #expect(try await api.allCustomers().count == 1)
            expectProblem(try await api.get("/v1/customers/lookup?email=free%40example.com"), .notFound)

            // PATCH and POST identities meet the same rule.
            let other = try #require(try await api.createCustomer(["name": "Other"])["id"]?.stringValue)
            let patch = try await api.patch("/v1/customers/\(other)", ["emails": ["taken@example.com"]])
            expectProblem(patch, .conflict, field: "emails")
            #expect(patch.json["holder_id"]?.stringValue == holder)
            let add = try await api.post("/v1/customers/\(other)/identities", ["identity": "phone:+14155552671"])
            expectProblem(add, .conflict)
            #expect(add.json["holder_id"]?.stringValue == holder)
            let otherNow = try await api.get("/v1/customers/\(other)")
            #expect(otherNow.json["identities"]?.strings == [])
            #expect(otherNow.json["version"]?.intValue == 1)
        }
    }

    @Test("POST and DELETE /v1/customers/{id}/identities", arguments: Backend.available)
    func addAndRemove(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let id = try #require(try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])["id"]?.stringValue)

            let added = try await api.post("/v1/customers/\(id)/identities", ["identity": "social:Twitter:@Ana_Lima"])
            #expect(added.status == .created, "\(added.text)")
            #expect(added.headers[.eTag] == etag(id, version: 2))
            #expect(added.json["identities"]?.strings == ["email:ana@example.com", "social:twitter:ana_lima"])

            let phone = try await api.post("/v1/customers/\(id)/identities", ["identity": "phone:(415) 555-2671"])
            #expect(phone.json["phones"]?.strings == ["+14155552671"])
            #expect(try await api.get("/v1/customers/lookup?identity=" + encodeQuery("social:twitter:ana_lima")).json["id"]?.stringValue == id)

            let listed = try await api.get("/v1/customers/\(id)/identities")
            #expect(listed.items.compactMap { $0["qualified"]?.stringValue }
                == ["email:ana@example.com", "phone:+14155552671", "social:twitter:ana_lima"])

            let removed = try await api.delete("/v1/customers/\(id)/identities/\(encodeQuery("email:ANA@example.com"))")
            #expect(removed.status == .ok, "\(removed.text)")
            #expect(removed.json["emails"]?.strings == [])
            #expect(removed.json["identities"]?.strings == ["phone:+14155552671", "social:twitter:ana_lima"])
            expectProblem(try await api.get("/v1/customers/lookup?email=ana%40example.com"), .notFound)

            // Removing what the customer does not hold is 404; adding nonsense is 422 naming the field.
            expectProblem(try await api.delete("/v1/customers/\(id)/identities/\(encodeQuery("email:ana@example.com"))"), .notFound)
            expectProblem(try await api.post("/v1/customers/\(id)/identities", ["identity": "not an identity"]),
                          .unprocessableContent, field: "identity")
            expectProblem(try await api.post("/v1/customers/\(id)/identities", ["identity": 42]),
                          .unprocessableContent, field: "identity")
            expectProblem(try await api.post("/v1/customers/\(id)/identities", [:]), .unprocessableContent, field: "identity")
            expectProblem(try await api.post("/v1/customers/cus_missing/identities", ["identity": "email:x@example.com"]), .notFound)
            #expect(try await api.get("/v1/customers/\(id)").json["version"]?.intValue == 4)
        }
    }

    @Test("20 concurrent creates with one email: one 201, the rest 409 naming it", arguments: Backend.available)
    func concurrentClaims(backend: Backend) async throws {
        try await withApp(backend) { api, adminKey in
            let body = JSONValue.object(["name": "Racer", "emails": ["race@example.com"]]).serialized()
            let results = try await withThrowingTaskGroup(of: (HTTPResponse.Status, JSONValue).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await api.withConnection { connection in
                            let response = try await connection.execute(TestClient.Request(
                                "/v1/customers", method: .post,
                                headers: [.authorization: "Bearer \(adminKey)", .contentType: "application/json"],
                                body: ByteBuffer(bytes: body)))
                            let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                            return (response.status, (try? JSONParser.parse(bytes)) ?? .null)
                        }
                    }
                }
                var results: [(HTTPResponse.Status, JSONValue)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(results.count == 20)
            let created = results.filter { $0.0 == .created }
            let conflicts = results.filter { $0.0 == .conflict }
            #expect(created.count == 1, "statuses: \(results.map(\.0.code))")
            #expect(conflicts.count == 19, "statuses: \(results.map(\.0.code))")
            let winner = try #require(created.first?.1["id"]?.stringValue)
            for conflict in conflicts {
                #expect(conflict.1["holder_id"]?.stringValue == winner)
            }
            let customers = try await api.allCustomers()
            #expect(customers.compactMap { $0["id"]?.stringValue } == [winner])
            let createdEvents = try await api.events().filter { $0["type"]?.stringValue == "rapport.customer.created" }
            #expect(createdEvents.count == 1)
        }
    }
}
