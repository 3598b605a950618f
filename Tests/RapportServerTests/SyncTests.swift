import Foundation
import Synchronization
import HTTPTypes
import RapportCore
import RapportTestSupport
import Testing

@Suite("HTTP: offline channel sync")
struct SyncTests {
    /// A clock reading `seconds` after a fixed recent instant, as a device would send it.
    static func hlc(_ seconds: Int64, counter: Int = 0) -> JSONValue {
        .string("\(base + seconds * 1_000)-\(counter)")
    }

    /// An hour ago, in milliseconds: device clocks in these tests run behind the server's.
    static let base = Timestamp.now().microseconds / 1_000 - 3_600_000

    static func change(_ id: String, _ identity: String, at seconds: Int64, set: JSONValue? = nil, add: JSONValue? = nil,
                       remove: JSONValue? = nil) -> JSONValue {
        var object: JSONObject = ["change_id": .string(id), "identity": .string(identity), "hlc": hlc(seconds)]
        if let set { object["set"] = set }
        if let add { object["add"] = add }
        if let remove { object["remove"] = remove }
        return .object(object)
    }

    /// The fields of the customer holding `identity` that every replica must agree on.
    static func converged(_ api: API, _ identity: String) async throws -> JSONValue {
        let reply = try await api.get("/v1/customers/lookup?identity=\(encodeQuery(identity))")
        try #require(reply.status == .ok, "\(reply.text)")
        guard case .object(var object) = reply.json else { return .null }
        for key in ["id", "version", "created_at", "updated_at"] { object.removeValue(forKey: key) }
        if case .object(let attributes)? = object["attributes"] {
            object["attributes"] = .object(JSONObject(attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        return .object(object)
    }

    @Test("a push creates and changes customers, is idempotent, and older changes lose field by field",
          arguments: Backend.available)
    func pushAppliesAndDeduplicates(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let store = try await api.createChannel(kind: "store", name: "Store 12 terminal")
            let push: JSONValue = ["channel_id": .string(store), "changes": [
                Self.change("t1", "email:ana@example.com", at: 10, set: ["name": "Ana", "attributes": ["tier": "gold"]],
                            add: ["phones": ["+4930123456"]]),
                Self.change("t2", "email:ana@example.com", at: 30, set: ["company": "Lima GmbH"]),
                // Made earlier on the device than t1's name: it loses the name, but the city is new.
                Self.change("t3", "email:ana@example.com", at: 5, set: ["name": "Ana Old"], add: ["addresses": [["city": "Berlin"]]]),
            ]]
            let head = try await api.eventHead()
            let first = try await api.post("/v1/sync/push", push)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.json["results"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["applied", "applied", "applied"])
            #expect(first.json["results"]?[2]?["changed_fields"]?.strings == ["addresses"])
            let customer = try await Self.converged(api, "email:ana@example.com")
            #expect(customer["name"]?.stringValue == "Ana")
            #expect(customer["company"]?.stringValue == "Lima GmbH")
            #expect(customer["phones"]?.strings == ["+4930123456"])
            #expect(customer["addresses"]?[0]?["city"]?.stringValue == "Berlin")
            let id = try #require(first.json["results"]?[0]?["customer_id"]?.stringValue)
            let shown = try await api.get("/v1/customers/\(id)?include=provenance")
            #expect(shown.json["provenance"]?["name"]?["channel_id"]?.stringValue == store)
            #expect(shown.json["provenance"]?["company"]?["hlc"] == Self.hlc(30))
            let events = try await api.events(after: head)
            #expect(events.first?["data"]?["channel_id"]?.stringValue == store)

            let again = try await api.post("/v1/sync/push", push)
            #expect(again.json["results"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["duplicate", "duplicate", "duplicate"])
            #expect(again.json["results"]?[0]?["customer_id"]?.stringValue == id)
            #expect(try await api.events(after: head).count == events.count)
        }
    }

    @Test("a change id repeated within one push is applied once and the repeat reported as a duplicate",
          arguments: Backend.available)
    func repeatWithinPush(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let store = try await api.createChannel(kind: "store", name: "Store 7 terminal")
            let change = Self.change("r1", "email:rui@example.com", at: 10, set: ["name": "Rui"], add: ["phones": ["+4930555000"]])
            let head = try await api.eventHead()
            let pushed = try await api.post("/v1/sync/push", ["channel_id": .string(store), "changes": [change, change]])
            #expect(pushed.status == .ok, "\(pushed.text)")
            let results = pushed.json["results"]?.arrayValue ?? []
            #expect(results.compactMap { $0["status"]?.stringValue } == ["applied", "duplicate"])
            #expect(results.first?["customer_id"] == results.last?["customer_id"])
            let created = try await api.events(after: head).filter { $0["type"]?.stringValue == "rapport.customer.created" }
            #expect(created.count == 1)
        }
    }

    @Test("the same changes pushed in different orders give the same customer", arguments: Backend.available)
    func ordersConverge(backend: Backend) async throws {
        let changes: [JSONValue] = [
            Self.change("a1", "phone:+4930999000", at: 1, set: ["name": "Bo", "attributes": ["tier": "gold", "store": "B"]],
                        add: ["emails": ["bo@example.com", "bo@work.example"]]),
            Self.change("a2", "phone:+4930999000", at: 4, set: ["attributes": ["tier": "silver"]], remove: ["emails": ["bo@work.example"]]),
            Self.change("b1", "phone:+4930999000", at: 3, set: ["name": "Bo Berg", "lifecycle_stage": "customer"],
                        add: ["emails": ["b.berg@example.com"]]),
            Self.change("b2", "phone:+4930999000", at: 2, set: ["attributes": ["tier": "bronze", "store": nil]]),
            Self.change("c1", "phone:+4930999000", at: 4, set: ["company": "Berg AB"], add: ["addresses": [["city": "Malmö"]]]),
        ]
        let collected = Collected()
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]] {
            try await withApp(backend) { api, _ in
                let app = try await api.createChannel(kind: "mobile_app", name: "Field app")
                // One change per push, in this order, some twice.
                for index in order + [order[0], order[2]] {
                    let reply = try await api.post("/v1/sync/push", ["channel_id": .string(app), "changes": [changes[index]]])
                    #expect(reply.status == .ok, "\(reply.text)")
                }
                collected.add(try await Self.converged(api, "phone:+4930999000"))
            }
        }
        let results = collected.all
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        #expect(results[0]["name"]?.stringValue == "Bo Berg")
        #expect(results[0]["attributes"]?["tier"]?.stringValue == "silver")
        #expect(results[0]["attributes"]?["store"] == nil)
        #expect(results[0]["emails"]?.strings.sorted() == ["b.berg@example.com", "bo@example.com"])
    }

    @Test("at the same instant, the channel with the higher source_priority wins", arguments: Backend.available)
    func sourcePriorityBreaksTies(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let crm = try await api.post("/v1/channels", ["kind": "web", "name": "CRM desk", "settings": ["source_priority": 10]])
            let crmID = try #require(crm.json["id"]?.stringValue)
            let app = try await api.createChannel(kind: "mobile_app", name: "Field app")
            for (channel, name) in [(crmID, "Ana (verified)"), (app, "ana")] {
                let reply = try await api.post("/v1/sync/push", ["channel_id": .string(channel), "changes": [
                    Self.change("same-\(channel)", "email:ana@example.com", at: 7, set: ["name": .string(name)]),
                ]])
                #expect(reply.json["results"]?[0]?["status"]?.stringValue == "applied", "\(reply.text)")
            }
            let customer = try await Self.converged(api, "email:ana@example.com")
            #expect(customer["name"]?.stringValue == "Ana (verified)")
        }
    }

    @Test("bad changes are refused naming the field; a clock too far ahead rejects that change only", arguments: Backend.available)
    func badPushes(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let app = try await api.createChannel(kind: "mobile_app", name: "Field app")
            let head = try await api.eventHead()
            expectProblem(try await api.post("/v1/sync/push", ["changes": []]), .unprocessableContent, field: "channel_id")
            expectProblem(try await api.post("/v1/sync/push", ["channel_id": .string(app), "changes": [
                ["change_id": "x", "identity": "email:a@example.com", "set": ["name": "A"]],
            ]]), .unprocessableContent, field: "changes[0].hlc")
            expectProblem(try await api.post("/v1/sync/push", ["channel_id": .string(app), "changes": [
                ["change_id": "x", "identity": "email:a@example.com", "hlc": Self.hlc(1), "set": ["emails": ["a@example.com"]]],
            ]]), .unprocessableContent, field: "changes[0].set.emails")
            expectProblem(try await api.post("/v1/sync/push", ["channel_id": .string(app), "changes": [
                ["change_id": "x", "identity": "email:a@example.com", "hlc": Self.hlc(1), "set": ["lifecycle_stage": "king"]],
            ]]), .unprocessableContent, field: "changes[0].set.lifecycle_stage")
            expectProblem(try await api.post("/v1/sync/push", ["channel_id": "chn_missing", "changes": [
                Self.change("x", "email:a@example.com", at: 1, set: ["name": "A"]),
            ]]), .unprocessableContent, field: "channel_id")
            #expect(try await api.eventHead() == head)

            let future = Timestamp.now().microseconds / 1_000 + 3_600_000
            let reply = try await api.post("/v1/sync/push", ["channel_id": .string(app), "changes": [
                ["change_id": "late", "identity": "email:a@example.com", "hlc": .string("\(future)-0"), "set": ["name": "Future"]],
                Self.change("fine", "email:a@example.com", at: 1, set: ["name": "Ana"]),
            ]])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["results"]?[0]?["status"]?.stringValue == "rejected")
            #expect(reply.json["results"]?[0]?["error"]?["field"]?.stringValue == "changes[0].hlc")
            #expect(reply.json["results"]?[1]?["status"]?.stringValue == "applied")
            #expect(try await Self.converged(api, "email:a@example.com")["name"]?.stringValue == "Ana")
        }
    }

    @Test("pull returns each changed customer once with its versions, and resumes from its cursor", arguments: Backend.available)
    func pullFollowsTheLog(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let a = try #require(try await api.createCustomer(["name": "Ana"])["id"]?.stringValue)
            let b = try #require(try await api.createCustomer(["name": "Bea"])["id"]?.stringValue)
            #expect(try await api.patch("/v1/customers/\(a)", ["company": "Acme"]).status == .ok)
            let first = try await api.get("/v1/sync/pull")
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.items.compactMap { $0["customer_id"]?.stringValue } == [a, b])
            #expect(first.items.first?["customer"]?["company"]?.stringValue == "Acme")
            #expect(first.items.first?["versions"]?["registers"]?["company"]?["hlc"]?.stringValue != nil)
            let cursor = try #require(first.json["cursor"]?.stringValue)
            #expect(try await api.get("/v1/sync/pull?cursor=\(cursor)").items.isEmpty)

            #expect(try await api.post("/v1/customers/\(a)/merge", ["customer_ids": [.string(b)]]).status == .ok)
            let next = try await api.get("/v1/sync/pull?cursor=\(cursor)")
            let states = Dictionary(uniqueKeysWithValues: next.items.compactMap { item in
                item["customer_id"]?.stringValue.map { ($0, item["state"]?.stringValue ?? "") }
            })
            #expect(states == [a: "active", b: "merged"])
            let paged = try await api.get("/v1/sync/pull?limit=1")
            #expect(paged.items.count == 1)
            #expect(paged.json["has_more"] == .bool(true))
            expectProblem(try await api.get("/v1/sync/pull?cursor=abc"), .badRequest, field: "cursor")
        }
    }
}

/// Values gathered from inside test servers.
final class Collected: Sendable {
    private let items = Mutex<[JSONValue]>([])
    var all: [JSONValue] { items.withLock { $0 } }
    func add(_ item: JSONValue) { items.withLock { $0.append(item) } }
}
