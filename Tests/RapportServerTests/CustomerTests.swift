import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: customers")
struct CustomerTests {
    @Test("create answers 201 with ETag and Location; get returns the same record", arguments: Backend.available)
    func createAndGet(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let reply = try await api.post("/v1/customers", [
                "given_name": "Ana", "family_name": "Lima", "emails": ["ana@example.com"], "company": "Lima GmbH",
                "lifecycle_stage": "lead", "attributes": ["tier": "gold"],
                "addresses": [["city": "Berlin", "country": "de"]],
            ])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.headers[.contentType] == "application/json")
            let id = try #require(reply.json["id"]?.stringValue)
            #expect(reply.headers[.eTag] == etag(id, version: 1))
            #expect(reply.headers[.location] == "/v1/customers/\(id)")
            #expect(reply.json["name"]?.stringValue == "Ana Lima")
            #expect(reply.json["kind"]?.stringValue == "person")
            #expect(reply.json["version"]?.intValue == 1)
            #expect(reply.json["emails"]?.strings == ["ana@example.com"])
            #expect(reply.json["addresses"]?[0]?["country"]?.stringValue == "DE")
            #expect(reply.json["lifecycle_stage"]?.stringValue == "lead")
            let createdAt = try #require(reply.json["created_at"]?.stringValue)
            #expect(Timestamp(rfc3339: createdAt) != nil)
            #expect(createdAt.hasSuffix("Z"))

            let shown = try await api.get("/v1/customers/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.headers[.eTag] == etag(id, version: 1))
            #expect(shown.json == reply.json)

            let notModified = try await api.get("/v1/customers/\(id)", headers: [.ifNoneMatch: etag(id, version: 1)])
            #expect(notModified.status == .notModified)

            expectProblem(try await api.get("/v1/customers/cus_doesnotexist"), .notFound, type: "not-found")
        }
    }

    @Test("owner_id must name a user", arguments: Backend.available)
    func ownerReference(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let head = try await api.eventHead()
            expectProblem(try await api.post("/v1/customers", ["name": "Ana", "owner_id": "usr_missing"]),
                          .unprocessableContent, field: "owner_id")
            #expect(try await api.eventHead() == head)
            #expect(try await api.allCustomers().isEmpty)

            let user = try await api.post("/v1/users", ["email": "rep@example.com", "name": "Rep", "role": "agent"])
            let userID = try #require(user.json["id"]?.stringValue)
            let owned = try await api.createCustomer(["name": "Ana", "owner_id": .string(userID)])
            let id = try #require(owned["id"]?.stringValue)
            #expect(owned["owner_id"]?.stringValue == userID)
            _ = try await api.createCustomer(["name": "Unowned"])
            #expect(try await api.allCustomers(query: "owner_id=\(userID)").compactMap { $0["id"]?.stringValue } == [id])

            expectProblem(try await api.patch("/v1/customers/\(id)", ["owner_id": "usr_missing"]), .unprocessableContent, field: "owner_id")
            let cleared = try await api.patch("/v1/customers/\(id)", ["owner_id": nil])
            #expect(cleared.status == .ok)
            #expect(cleared.json["owner_id"] == .null)
        }
    }

    @Test("list pages with limit and cursor; every customer is seen once", arguments: Backend.available)
    func cursorPagination(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            var created: [String] = []
            for index in 1...7 {
                let customer = try await api.createCustomer(["name": .string("Customer \(index)")])
                created.append(try #require(customer["id"]?.stringValue))
            }
            var seen: [String] = []
            var pageSizes: [Int] = []
            var uri = "/v1/customers?limit=3"
            var pages = 0
            while true {
                pages += 1
                try #require(pages <= 10, "pagination does not end")
                let reply = try await api.get(uri)
                #expect(reply.status == .ok)
                try #require(reply.json["next_cursor"] != nil, "next_cursor must always be present")
                pageSizes.append(reply.items.count)
                seen += reply.items.compactMap { $0["id"]?.stringValue }
                guard let next = reply.nextCursor else { break }
                uri = "/v1/customers?limit=3&cursor=\(encodeQuery(next))"
            }
            #expect(pageSizes == [3, 3, 1])
            #expect(seen.count == 7)
            #expect(Set(seen) == Set(created))
            #expect(seen == created, "ids sort by creation time")

            expectProblem(try await api.get("/v1/customers?cursor=%25%25%25"), .unprocessableContent, field: "cursor")
        }
    }

    @Test("list filters: identity, email, phone, name prefix, attributes, updated_since", arguments: Backend.available)
    func filters(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let alice = try #require(try await api.createCustomer([
                "name": "Alice Andersen", "emails": ["alice@example.com"], "phones": ["(415) 555-2671"],
                "attributes": ["tier": "gold", "n": 5],
            ])["id"]?.stringValue)
            let alina = try #require(try await api.createCustomer([
                "name": "alina Berg", "emails": ["alina@example.com"], "attributes": ["tier": "silver", "n": 50],
            ])["id"]?.stringValue)
            let bruno = try #require(try await api.createCustomer([
                "name": "Bruno Costa", "phones": ["+49 30 1234567"], "attributes": ["tier": "gold", "n": 6],
            ])["id"]?.stringValue)
            let carla = try #require(try await api.createCustomer([
                "name": "Carla Dias", "lifecycle_stage": "lead", "attributes": ["tier": "golden", "note": "5 stars", "plan.name": "pro"],
            ])["id"]?.stringValue)
            let aerzte = try #require(try await api.createCustomer(["name": "Ärztehaus Nord", "kind": "organization"])["id"]?.stringValue)
            let percent = try #require(try await api.createCustomer(["name": "100% Bio_Laden"])["id"]?.stringValue)

            func ids(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Set<String> {
                let reply = try await api.get("/v1/customers?\(query)")
                #expect(reply.status == .ok, "\(query): \(reply.text)", sourceLocation: sourceLocation)
                return Set(reply.items.compactMap { $0["id"]?.stringValue })
            }

            #expect(try await ids("identity=" + encodeQuery("email:Alice@Example.com")) == [alice])
            #expect(try await ids("identity=" + encodeQuery("phone:+1 415 555 2671")) == [alice])
            #expect(try await ids("email=" + encodeQuery("  ALICE@example.COM ")) == [alice])
            #expect(try await ids("email=" + encodeQuery("nobody@example.com")).isEmpty)
            #expect(try await ids("phone=" + encodeQuery("(415) 555-2671")) == [alice], "default region US")
            #expect(try await ids("phone=" + encodeQuery("415.555.2671")) == [alice])
            #expect(try await ids("phone=" + encodeQuery("+49 30 1234567")) == [bruno])
            #expect(try await ids("phone=" + encodeQuery("+49301234567")) == [bruno])
            #expect(try await ids("name_prefix=ali") == [alice, alina])
            #expect(try await ids("name_prefix=ALIN") == [alina])
            #expect(try await ids("name_prefix=" + encodeQuery("Bruno C")) == [bruno])
            #expect(try await ids("name_prefix=zz").isEmpty)
            #expect(try await ids("attribute.tier=gold") == [alice, bruno])
            #expect(try await ids("attribute.tier=silver") == [alina])
            #expect(try await ids("attribute.n=5") == [alice], "numeric match, not 50 and not 6")
            #expect(try await ids("attribute.n=50") == [alina])
            #expect(try await ids("attribute.tier=gold&attribute.n=6") == [bruno])
            #expect(try await ids("attribute.tier=gold&name_prefix=b") == [bruno])
            #expect(try await ids("attribute.missing=1").isEmpty)
            #expect(try await ids("attribute.plan.name=pro") == [carla])
            #expect(try await ids("lifecycle_stage=lead") == [carla])
            #expect(try await ids("name_prefix=" + encodeQuery("ärz")) == [aerzte], "prefix compares without case beyond ASCII")
            #expect(try await ids("name_prefix=" + encodeQuery("ÄRZ")) == [aerzte])
            // LIKE wildcards in the prefix are literal.
            #expect(try await ids("name_prefix=" + encodeQuery("%")).isEmpty)
            #expect(try await ids("name_prefix=" + encodeQuery("_")).isEmpty)
            #expect(try await ids("name_prefix=" + encodeQuery("100%")) == [percent])
            #expect(try await ids("name_prefix=" + encodeQuery("100% bio_")) == [percent])
            #expect(try await ids("name_prefix=" + encodeQuery("100_")).isEmpty)

            // updated_since: only what changed at or after the given time. The patch must be stamped
            // later than every other write: the clock has passed the newest of them.
            let newest = try #require(try await api.allCustomers().compactMap { $0["updated_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) }.max())
            try await waitUntil("the clock to pass \(newest)") { Timestamp.now() > newest }
            let patched = try await api.patch("/v1/customers/\(alina)", ["company": "Berg AG"])
            #expect(patched.status == .ok)
            let since = try #require(patched.json["updated_at"]?.stringValue)
            #expect(try await ids("updated_since=" + encodeQuery(since)) == [alina])
            #expect(try await ids("updated_since=" + encodeQuery("2000-01-01T00:00:00Z")).count == 6)
            #expect(try await ids("updated_since=" + encodeQuery("2999-01-01T00:00:00Z")).isEmpty)

            expectProblem(try await api.get("/v1/customers?updated_since=yesterday"), .badRequest, field: "updated_since")
            expectProblem(try await api.get("/v1/customers?identity=bogus"), .badRequest, field: "identity")
            expectProblem(try await api.get("/v1/customers?email=not-an-email"), .badRequest, field: "email")
            expectProblem(try await api.get("/v1/customers?phone=abc"), .badRequest, field: "phone")
            expectProblem(try await api.get("/v1/customers?attribute.bad%20key=1"), .badRequest)
        }
    }

    @Test("PATCH merges: null clears, attributes merge, emails replace; If-Match guards", arguments: Backend.available)
    func patchMergeAndETags(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let created = try await api.post("/v1/customers", [
                "name": "Ana Lima", "given_name": "Ana", "company": "Lima GmbH",
                "emails": ["ana@example.com", "ana.lima@work.example"], "phones": ["+49 30 1234567"],
                "attributes": ["tier": "gold", "n": 5, "source": "fair"],
            ])
            #expect(created.status == .created)
            let id = try #require(created.json["id"]?.stringValue)
            let firstTag = try #require(created.headers[.eTag])

            let patched = try await api.patch("/v1/customers/\(id)", [
                "company": nil, "attributes": ["n": nil, "vip": true, "tier": "platinum"], "emails": ["ANA@new.example"],
            ], headers: [.ifMatch: firstTag])
            #expect(patched.status == .ok, "\(patched.text)")
            let secondTag = try #require(patched.headers[.eTag])
            #expect(secondTag == etag(id, version: 2))
            #expect(secondTag != firstTag)
            #expect(patched.json["version"]?.intValue == 2)
            #expect(patched.json["company"] == .null)
            #expect(patched.json["name"]?.stringValue == "Ana Lima")
            #expect(patched.json["given_name"]?.stringValue == "Ana", "absent fields stay")
            #expect(patched.json["emails"]?.strings == ["ana@new.example"], "emails are replaced")
            #expect(patched.json["phones"]?.strings == ["+49301234567"], "phones not named stay")
            let attributes = try #require(patched.json["attributes"]?.objectValue)
            #expect(attributes["tier"] == "platinum")
            #expect(attributes["vip"] == .bool(true))
            #expect(attributes["source"] == "fair")
            #expect(attributes["n"] == nil, "null removes an attribute")
            #expect(attributes.count == 3)

            // The replaced email is released, the new one resolves.
            expectProblem(try await api.get("/v1/customers/lookup?email=ana%40example.com"), .notFound)
            #expect(try await api.get("/v1/customers/lookup?email=ana%40new.example").json["id"]?.stringValue == id)

            // A stale ETag changes nothing.
            let head = try await api.eventHead()
            let stale = try await api.patch("/v1/customers/\(id)", ["name": "Overwritten", "company": "Stale Inc"],
                                            headers: [.ifMatch: firstTag])
            expectProblem(stale, .preconditionFailed, type: "precondition-failed")
            let afterStale = try await api.get("/v1/customers/\(id)")
            #expect(afterStale.json == patched.json)
            #expect(afterStale.headers[.eTag] == secondTag)
            #expect(try await api.eventHead() == head)

            // An ETag of another record never matches.
            expectProblem(try await api.patch("/v1/customers/\(id)", ["name": "X"], headers: [.ifMatch: etag("cus_other", version: 2)]),
                          .preconditionFailed)

            // The current ETag works, and without If-Match the write is unconditional.
            let third = try await api.patch("/v1/customers/\(id)", ["name": "Ana L."], headers: [.ifMatch: secondTag])
            #expect(third.status == .ok)
            #expect(third.headers[.eTag] == etag(id, version: 3))
            let fourth = try await api.patch("/v1/customers/\(id)", ["lifecycle_stage": "customer"])
            #expect(fourth.status == .ok)
            #expect(fourth.json["version"]?.intValue == 4)
            #expect(fourth.json["name"]?.stringValue == "Ana L.")

            // Stale If-Match on delete is refused too.
            expectProblem(try await api.delete("/v1/customers/\(id)", headers: [.ifMatch: secondTag]), .preconditionFailed)
            #expect(try await api.get("/v1/customers/\(id)").status == .ok)

            expectProblem(try await api.patch("/v1/customers/cus_missing", ["name": "X"]), .notFound)
        }
    }

    @Test("soft delete: 204, then 404, and the identities are released", arguments: Backend.available)
    func softDelete(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let first = try await api.createCustomer(["name": "Old Record", "emails": ["shared@example.com"],
                                                      "phones": ["(415) 555-2671"]])
            let id = try #require(first["id"]?.stringValue)
            let other = try await api.createCustomer(["name": "Other"])
            let otherID = try #require(other["id"]?.stringValue)

            let deleted = try await api.delete("/v1/customers/\(id)", headers: [.ifMatch: etag(id, version: 1)])
            #expect(deleted.status == .noContent)
            #expect(deleted.bytes.isEmpty)
            expectProblem(try await api.get("/v1/customers/\(id)"), .notFound)
            expectProblem(try await api.delete("/v1/customers/\(id)"), .notFound)
            expectProblem(try await api.patch("/v1/customers/\(id)", ["name": "Zombie"]), .notFound)
            expectProblem(try await api.get("/v1/customers/lookup?email=shared%40example.com"), .notFound)
            #expect(try await api.allCustomers().compactMap { $0["id"]?.stringValue } == [otherID])
            #expect(try await api.allCustomers(query: "email=shared%40example.com").isEmpty)

            let successor = try await api.post("/v1/customers", ["name": "New Record", "emails": ["Shared@Example.com"],
                                                                 "phones": ["+14155552671"]])
            #expect(successor.status == .created, "\(successor.text)")
            let successorID = try #require(successor.json["id"]?.stringValue)
            #expect(successorID != id)
            #expect(try await api.get("/v1/customers/lookup?email=shared%40example.com").json["id"]?.stringValue == successorID)

            // The released identity can also be added to an existing customer... after the successor lets go of it.
            let removed = try await api.delete("/v1/customers/\(successorID)/identities/\(encodeQuery("phone:+14155552671"))")
            #expect(removed.status == .ok, "\(removed.text)")
            let added = try await api.post("/v1/customers/\(otherID)/identities", ["identity": "phone:(415) 555-2671"])
            #expect(added.status == .created, "\(added.text)")
            #expect(added.json["phones"]?.strings == ["+14155552671"])
        }
    }
}
