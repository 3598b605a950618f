import Foundation
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: merge and undo")
struct MergeTests {
    /// Everything a customer is: its record (without version and update time), the provenance of
    /// each field, its identities and its timeline.
    static func state(of id: String, _ api: API) async throws -> JSONValue {
        let shown = try await api.get("/v1/customers/\(id)?include=provenance")
        try #require(shown.status == .ok, "\(shown.text)")
        guard case .object(var record) = shown.json else { return .null }
        record.removeValue(forKey: "version")
        record.removeValue(forKey: "updated_at")
        let timeline = try await api.get("/v1/customers/\(id)/timeline?limit=500")
        let identities = try await api.get("/v1/customers/\(id)/identities")
        return ["record": .object(record), "timeline": .array(timeline.items.compactMap { $0["id"] }),
                "identities": .array(identities.items)]
    }

    static func seed(_ api: API) async throws -> (ana: String, lima: String, third: String, channel: String) {
        let channel = try await api.createChannel(kind: "email", name: "Support mail")
        let ana = try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"], "attributes": ["tier": "gold"]])
        let lima = try await api.createCustomer([
            "name": "Ana Lima", "emails": ["ana.lima@example.com"], "phones": ["+4930123456"], "company": "Lima GmbH",
            "attributes": ["tier": "silver", "store": "Berlin"], "addresses": [["city": "Berlin", "country": "DE"]],
        ])
        let third = try await api.createCustomer(["name": "A. Lima", "identities": ["external:shop:77"]])
        for (index, identity) in ["email:ana@example.com", "email:ana.lima@example.com", "phone:+4930123456", "external:shop:77"].enumerated() {
            for message in 0..<2 {
                let reply = try await api.post("/v1/interactions", [
                    "channel_id": .string(channel), "identity": .string(identity), "kind": "message", "direction": "inbound",
                    "body": .string("hello \(index)-\(message)"), "external_id": .string("m\(index)-\(message)"),
                ])
                try #require(reply.status == .created, "\(reply.text)")
            }
        }
        return (try #require(ana["id"]?.stringValue), try #require(lima["id"]?.stringValue),
                try #require(third["id"]?.stringValue), channel)
    }

    @Test("merge moves identities and interactions, follows survivorship, and undo restores everything exactly",
          arguments: Backend.available)
    func mergeThenUndoEqualsBefore(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let (ana, lima, third, _) = try await Self.seed(api)
            let before = [try await Self.state(of: ana, api), try await Self.state(of: lima, api), try await Self.state(of: third, api)]
            let head = try await api.eventHead()

            let merged = try await api.post("/v1/customers/\(ana)/merge", ["customer_ids": [.string(lima), .string(third)]])
            #expect(merged.status == .ok, "\(merged.text)")
            let mergeID = try #require(merged.json["merge_id"]?.stringValue)
            #expect(merged.headers[.location] == "/v1/merges/\(mergeID)")
            let survivor = try #require(merged.json["customer"])
            #expect(survivor["id"]?.stringValue == ana)
            #expect(survivor["emails"]?.strings == ["ana@example.com", "ana.lima@example.com"])
            #expect(survivor["phones"]?.strings == ["+4930123456"])
            #expect(survivor["identities"]?.strings.contains("external:shop:77") == true)
            // Prefer non-empty, then most recent: the company only Lima had; the later-written name and tier.
            #expect(survivor["company"]?.stringValue == "Lima GmbH")
            #expect(survivor["name"]?.stringValue == "A. Lima")
            #expect(survivor["attributes"]?["tier"]?.stringValue == "silver")
            #expect(survivor["attributes"]?["store"]?.stringValue == "Berlin")
            #expect(survivor["addresses"]?[0]?["city"]?.stringValue == "Berlin")
            #expect(merged.json["moved"]?["interactions"]?.intValue == 6)
            #expect(merged.json["decisions"]?["company"]?.stringValue == lima)

            let timeline = try await api.get("/v1/customers/\(ana)/timeline?limit=500")
            #expect(timeline.items.count == 8)
            // The absorbed id keeps resolving, and says where it went.
            let redirected = try await api.get("/v1/customers/\(lima)")
            #expect(redirected.status == .temporaryRedirect)
            #expect(redirected.headers[.location] == "/v1/customers/\(ana)")
            #expect(redirected.json["merged_into"]?.stringValue == ana)
            expectProblem(try await api.patch("/v1/customers/\(lima)", ["name": "X"]), .conflict, type: "customer-merged")
            let looked = try await api.get("/v1/customers/lookup?phone=%2B4930123456")
            #expect(looked.json["id"]?.stringValue == ana)
            let listed = try await api.allCustomers().compactMap { $0["id"]?.stringValue }
            #expect(listed == [ana])
            let events = try await api.events(after: head).filter { $0["type"]?.stringValue?.hasPrefix("rapport.customer.") == true }
            #expect(events.map { $0["type"]?.stringValue } == ["rapport.customer.merged", "rapport.customer.absorbed", "rapport.customer.absorbed"])
            #expect(events.dropFirst().compactMap { $0["subject"]?.stringValue } == [lima, third])
            #expect(events.first?["data"]?["merge"]?["absorbed_ids"]?.strings == [lima, third])
            let record = try await api.get("/v1/merges/\(mergeID)")
            #expect(record.json["survivor_id"]?.stringValue == ana)

            let undone = try await api.post("/v1/merges/\(mergeID)/undo", [:])
            #expect(undone.status == .ok, "\(undone.text)")
            #expect(undone.json["undone_at"]?.stringValue != nil)
            #expect(undone.json["restored"]?.arrayValue?.count == 2)
            let after = [try await Self.state(of: ana, api), try await Self.state(of: lima, api), try await Self.state(of: third, api)]
            for (old, new) in zip(before, after) {
                #expect(old["record"] == new["record"])
                #expect(old["identities"] == new["identities"])
                #expect(old["timeline"] == new["timeline"])
            }
            #expect(try await api.allCustomers().count == 3)
            // (The duplicate monitor may propose the restored pair meanwhile; only customer events count here.)
            let types = try await api.events(after: head).compactMap { $0["type"]?.stringValue }.filter { $0.hasPrefix("rapport.customer.") }
            #expect(types == ["rapport.customer.merged", "rapport.customer.absorbed", "rapport.customer.absorbed",
                              "rapport.customer.unmerged", "rapport.customer.restored", "rapport.customer.restored"])
            expectProblem(try await api.post("/v1/merges/\(mergeID)/undo", [:]), .conflict, type: "conflict")

            // The survivor's merge history: this merge, undone, and a later one above it.
            let again = try await api.post("/v1/customers/\(ana)/merge", ["customer_ids": [.string(third)]])
            let againID = try #require(again.json["merge_id"]?.stringValue, "\(again.text)")
            let history = try await api.get("/v1/merges?customer_id=\(ana)")
            #expect(history.status == .ok, "\(history.text)")
            #expect(history.items.compactMap { $0["merge_id"]?.stringValue } == [againID, mergeID])
            #expect(history.items.first?["undone_at"] == JSONValue.null)
            #expect(history.items.last?["undone_at"]?.stringValue != nil)
            #expect(history.items.last?["absorbed_ids"]?.strings == [lima, third])
            #expect(try await api.get("/v1/merges?customer_id=\(ana)&limit=1").items.count == 1)
            #expect(try await api.get("/v1/merges?customer_id=\(lima)").items.isEmpty)
            expectProblem(try await api.get("/v1/merges"), .badRequest)
            expectProblem(try await api.get("/v1/merges?customer_id=\(ana)&limit=0"), .badRequest)
        }
    }

    @Test("conversations follow their customer into a merge and back on undo", arguments: Backend.available)
    func conversationsFollowTheMerge(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let (ana, lima, third, _) = try await Self.seed(api)
            // The router threads each interaction into its customer's conversation.
            try await api.waitForConsumer("router", toReach: try await api.eventHead())
            func conversations(of customer: String) async throws -> Set<String> {
                Set(try await api.get("/v1/conversations?customer_id=\(customer)&limit=100").items.compactMap { $0["id"]?.stringValue })
            }
            let before = [ana: try await conversations(of: ana), lima: try await conversations(of: lima), third: try await conversations(of: third)]
            for (customer, ids) in before { #expect(!ids.isEmpty, "no conversation for \(customer)") }

            let merged = try await api.post("/v1/customers/\(ana)/merge", ["customer_ids": [.string(lima), .string(third)]])
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(merged.json["moved"]?["conversations"]?.intValue == Int64(before[lima]!.count + before[third]!.count))
            #expect(try await conversations(of: ana) == before[ana]!.union(before[lima]!).union(before[third]!))
            #expect(try await conversations(of: lima).isEmpty)
            for id in before[lima]! {
                #expect(try await api.get("/v1/conversations/\(id)").json["customer_id"]?.stringValue == ana)
            }

            let mergeID = try #require(merged.json["merge_id"]?.stringValue)
            let undone = try await api.post("/v1/merges/\(mergeID)/undo", [:])
            #expect(undone.status == .ok, "\(undone.text)")
            for (customer, ids) in before { #expect(try await conversations(of: customer) == ids) }
        }
    }

    @Test("undo is refused, naming the fields, when the survivor changed after the merge", arguments: Backend.available)
    func undoAfterLaterChangesIsRefused(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let (ana, lima, _, _) = try await Self.seed(api)
            let merged = try await api.post("/v1/customers/\(ana)/merge", ["customer_ids": [.string(lima)]])
            let mergeID = try #require(merged.json["merge_id"]?.stringValue)
            #expect(try await api.patch("/v1/customers/\(ana)", ["company": "Other AG"]).status == .ok)
            let refused = try await api.post("/v1/merges/\(mergeID)/undo", [:])
            expectProblem(refused, .conflict, type: "conflict")
            let blocking = try #require(refused.json["blocking"]?[0])
            #expect(blocking["customer_id"]?.stringValue == ana)
            #expect(blocking["fields"]?.strings == ["company"])
            // Nothing moved back.
            #expect(try await api.get("/v1/customers/\(lima)").status == .temporaryRedirect)
        }
    }

    @Test("survivorship rules are configurable and a request can override a field", arguments: Backend.available)
    func survivorshipAndOverrides(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.request(.put, "/v1/settings/survivorship", json: ["fields": ["name": ["newest"]]]),
                          .unprocessableContent, field: "fields.name[0]")
            expectProblem(try await api.request(.put, "/v1/settings/survivorship", json: ["fields": ["nickname": ["most_recent"]]]),
                          .unprocessableContent, field: "fields.nickname")
            let policy: JSONValue = ["default": ["most_frequent", "prefer_non_empty"], "fields": ["name": ["most_recent"]]]
            let stored = try await api.request(.put, "/v1/settings/survivorship", json: policy)
            #expect(stored.status == .ok, "\(stored.text)")
            #expect(try await api.get("/v1/settings/survivorship").json["default"] == policy["default"])

            let a = try await api.createCustomer(["name": "Ana", "attributes": ["tier": "gold"]])
            let b = try await api.createCustomer(["name": "Anna", "attributes": ["tier": "bronze"]])
            let c = try await api.createCustomer(["name": "Ana L", "attributes": ["tier": "bronze"], "company": "Acme"])
            let ids = [a, b, c].compactMap { $0["id"]?.stringValue }
            let merged = try await api.post("/v1/customers/\(ids[0])/merge", [
                "customer_ids": [.string(ids[1]), .string(ids[2])], "fields": ["company": "Override AG"],
            ])
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(merged.json["customer"]?["attributes"]?["tier"]?.stringValue == "bronze")
            #expect(merged.json["customer"]?["name"]?.stringValue == "Ana L")
            #expect(merged.json["customer"]?["company"]?.stringValue == "Override AG")
            #expect(merged.json["overridden_fields"]?.strings == ["company"])
            let provenance = try await api.get("/v1/customers/\(ids[0])?include=provenance")
            #expect(provenance.json["provenance"]?["company"]?["value"]?.stringValue == "Override AG")
            #expect(provenance.json["provenance"]?["attributes.tier"]?["value"]?.stringValue == "bronze")
        }
    }

    @Test("bad merge requests are refused and change nothing", arguments: Backend.available)
    func badRequests(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let a = try #require(try await api.createCustomer(["name": "Ana"])["id"]?.stringValue)
            let b = try #require(try await api.createCustomer(["name": "Bea"])["id"]?.stringValue)
            let head = try await api.eventHead()
            expectProblem(try await api.post("/v1/customers/\(a)/merge", [:]), .unprocessableContent, field: "customer_ids")
            expectProblem(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": []]), .unprocessableContent, field: "customer_ids")
            expectProblem(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": [.string(a)]]),
                          .unprocessableContent, field: "customer_ids[0]")
            expectProblem(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": [.string(b), .string(b)]]),
                          .unprocessableContent, field: "customer_ids[1]")
            expectProblem(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": [.string(b)], "fields": ["kind": "robot"]]),
                          .unprocessableContent, field: "fields.kind")
            expectProblem(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": ["cus_missing"]]), .notFound)
            expectProblem(try await api.post("/v1/customers/cus_missing/merge", ["customer_ids": [.string(b)]]), .notFound)
            expectProblem(try await api.post("/v1/merges/mrg_missing/undo", [:]), .notFound)
            #expect(try await api.eventHead() == head)
            #expect(try await api.allCustomers().count == 2)
        }
    }

    @Test("provenance shows channel, actor and time per field; sync-less writes use the server clock", arguments: Backend.available)
    func provenanceOfFields(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let created = try await api.createCustomer(["name": "Ana", "emails": ["ana@example.com"]])
            let id = try #require(created["id"]?.stringValue)
            #expect(try await api.patch("/v1/customers/\(id)", ["company": "Acme"]).status == .ok)
            let shown = try await api.get("/v1/customers/\(id)?include=provenance")
            #expect(shown.status == .ok)
            let provenance = try #require(shown.json["provenance"])
            #expect(provenance["name"]?["value"]?.stringValue == "Ana")
            #expect(provenance["name"]?["actor_id"]?.stringValue?.hasPrefix("key_") == true)
            #expect(provenance["emails"]?[0]?["value"]?.stringValue == "ana@example.com")
            let nameTime = try #require(provenance["name"]?["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
            let companyTime = try #require(provenance["company"]?["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
            #expect(nameTime <= companyTime)
            #expect(provenance["company"]?["hlc"]?.stringValue != provenance["name"]?["hlc"]?.stringValue)
            expectProblem(try await api.get("/v1/customers/\(id)?include=everything"), .badRequest, field: "include")
        }
    }
}
