import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RapportCore
@testable import RapportServer
@testable import RapportSync
import RapportStore
import RapportTestSupport
import Synchronization
import Testing

/// A webhook receiver: records each request and answers with the scripted statuses in turn
/// (200 once the script is used up); `holding`, it answers only once the test calls `release()`
/// (a slow sink whose slowness the test decides).
final class Receiver: Sendable {
    struct Call: Sendable {
        var headers: HTTPFields
        var body: String
    }

    private let state: Mutex<(calls: [Call], script: [Int])>
    private let gate: Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>

    init(script: [Int] = [], holding: Bool = false) {
        state = Mutex(([], script))
        gate = Mutex((!holding, []))
    }

    /// Lets every held answer go, and those after it.
    func release() {
        let waiting = gate.withLock { gate in
            gate.open = true
            defer { gate.waiting = [] }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func passGate() async {
        await withCheckedContinuation { continuation in
            let open = gate.withLock { gate in
                if !gate.open { gate.waiting.append(continuation) }
                return gate.open
            }
            if open { continuation.resume() }
        }
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func answer(_ call: Call) -> Int {
        state.withLock { state in
            state.calls.append(call)
            return state.script.isEmpty ? 200 : state.script.removeFirst()
        }
    }

    /// Runs `body` with the receiver listening; the argument is its URL.
    func listening(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let status = self.answer(Call(headers: request.headers, body: String(buffer: bytes)))
            await self.passGate()
            var headers: HTTPFields = [:]
            if status == 429 || status == 503 { headers[.retryAfter] = "0" }
            return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "noted")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            // A test that fails while an answer is held must not leave the server waiting for it.
            defer { release() }
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)/hook")
        }
    }

    /// Waits until `count` calls arrived; returns every call so far.
    func waitFor(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Call] {
        try await waitUntil("\(count) webhook calls; \(calls.count) arrived", sourceLocation: sourceLocation) { calls.count >= count }
        return calls
    }
}

@Suite("HTTP: webhooks")
struct WebhookTests {
    static func subscribe(_ api: API, sink: String, filters: JSONValue) async throws -> (id: String, secret: String) {
        let reply = try await api.post("/v1/subscriptions", ["sink": .string(sink), "filters": filters, "description": "test receiver"])
        try #require(reply.status == .created, "\(reply.text)")
        return (try #require(reply.json["id"]?.stringValue), try #require(reply.json["secret"]?.stringValue))
    }

    /// The delivery log of `subscription`, once `done` says it is complete.
    static func deliveries(_ api: API, _ subscription: String, sourceLocation: SourceLocation = #_sourceLocation,
                           until done: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        try await eventually("the deliveries of \(subscription)", sourceLocation: sourceLocation) {
            let items = try await api.get("/v1/subscriptions/\(subscription)/deliveries").items
            return done(items) ? items : nil
        }
    }

    @Test("matching events arrive signed as CloudEvents; the delivery log records them", arguments: Backend.available)
    func signedDelivery(backend: Backend) async throws {
        let receiver = Receiver()
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                let (id, secret) = try await Self.subscribe(api, sink: sink, filters: [["prefix": ["type": "rapport.customer."]]])
                _ = try await api.createChannel(kind: "web", name: "Shop")
                let customer = try await api.createCustomer(["name": "Ana"])
                let calls = try await receiver.waitFor(1)
                try #require(calls.count == 1, "\(calls.map(\.body))")
                let call = calls[0]
                let event = try JSONParser.parse(call.body)
                #expect(event["type"]?.stringValue == "rapport.customer.created")
                #expect(event["data"]?["customer"]?["id"] == customer["id"])
                let webhookID = try #require(call.headers[HTTPField.Name("webhook-id")!])
                let timestamp = try #require(call.headers[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
                #expect(webhookID == event["id"]?.stringValue)
                let expected = WebhookSigner(secrets: [secret]).signature(id: webhookID, timestamp: timestamp, body: Array(call.body.utf8))
                #expect(call.headers[HTTPField.Name("webhook-signature")!] == expected)
                let log = try await Self.deliveries(api, id) { $0.first?["status"]?.stringValue == "delivered" }
                #expect(log.count == 1)
                #expect(log.first?["last_status"]?.intValue == 200)
                #expect(log.first?["attempts"]?.intValue == 1)
                // Only the customer event matched; the channel's creation was not sent. The fan-out reads
                // the log in order and queues a delivery in the same transaction that moves its position:
                // once that has passed the customer's event it has passed the channel's, and the log of
                // one delivery above is all there is.
                try await api.waitForConsumer("webhooks", toReach: try await api.sequence(ofEvent: webhookID))
                #expect(receiver.calls.count == 1)
            }
        }
    }

    @Test("failures are retried with the same id, one customer's events stay in order, and the last failure is a dead letter",
          arguments: Backend.available)
    func retriesOrderAndDeadLetters(backend: Backend) async throws {
        // The first answers are 500 and 503, every later one 200: the customer's update waits
        // until its creation got through.
        let receiver = Receiver(script: [500, 503])
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                _ = try await Self.subscribe(api, sink: sink, filters: [["cel": "type.startsWith(\"rapport.customer.\")"]])
                let customer = try #require(try await api.createCustomer(["name": "Ana"])["id"]?.stringValue)
                #expect(try await api.patch("/v1/customers/\(customer)", ["company": "Acme"]).status == .ok)
                let calls = try await receiver.waitFor(4)
                let types = calls.compactMap { (try? JSONParser.parse($0.body))?["type"]?.stringValue }
                // created (500), created (503), created (200), then updated — never updated before created.
                #expect(types == ["rapport.customer.created", "rapport.customer.created", "rapport.customer.created",
                                  "rapport.customer.updated"], "\(types)")
                let ids = calls.prefix(3).compactMap { $0.headers[HTTPField.Name("webhook-id")!] }
                #expect(Set(ids).count == 1)
            }
        }
        // Every attempt fails: a dead letter, then redelivered by hand.
        let failing = Receiver(script: [500, 500, 500])
        try await failing.listening { sink in
            try await withApp(backend) { api, _ in
                let (id, _) = try await Self.subscribe(api, sink: sink, filters: [["prefix": ["type": "rapport.customer."]]])
                _ = try await api.createCustomer(["name": "Bea"])
                let dead = try await Self.deliveries(api, id) { $0.first?["status"]?.stringValue == "failed" }
                #expect(dead.first?["status"]?.stringValue == "failed")
                #expect(dead.first?["attempts"]?.intValue == 3)
                #expect(dead.first?["last_status"]?.intValue == 500)
                let delivery = try #require(dead.first?["id"]?.stringValue)
                let again = try await api.post("/v1/subscriptions/\(id)/deliveries/\(delivery)/redeliver", [:])
                #expect(again.json["status"]?.stringValue == "pending")
                let delivered = try await Self.deliveries(api, id) { $0.first?["status"]?.stringValue == "delivered" }
                #expect(delivered.first?["status"]?.stringValue == "delivered")
            }
        }
    }

    @Test("410 Gone disables the subscription", arguments: Backend.available)
    func goneDisables(backend: Backend) async throws {
        let receiver = Receiver(script: [410])
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                let (id, _) = try await Self.subscribe(api, sink: sink, filters: [])
                _ = try await api.createCustomer(["name": "Ana"])
                let status: JSONValue = try await eventually("subscription \(id) disabled") {
                    let status = try await api.get("/v1/subscriptions/\(id)").json
                    guard status["status"]?.stringValue == "disabled" else { return nil }
                    return status
                }
                #expect(status["status"]?.stringValue == "disabled")
                #expect(status["disabled_reason"]?.stringValue?.contains("410") == true)
            }
        }
    }

    @Test("a rotated secret signs beside the old one until that expires", arguments: Backend.available)
    func secretRotation(backend: Backend) async throws {
        let receiver = Receiver()
        try await receiver.listening { sink in
            try await withApp(backend) { api, _ in
                let (id, first) = try await Self.subscribe(api, sink: sink, filters: [["prefix": ["type": "rapport.customer."]]])
                let rotated = try await api.post("/v1/subscriptions/\(id)/rotate-secret", ["previous_secret_expires_in": 3_600])
                try #require(rotated.status == .ok, "\(rotated.text)")
                let second = try #require(rotated.json["secret"]?.stringValue)
                #expect(second.hasPrefix("whsec_") && second != first)
                _ = try await api.createCustomer(["name": "Ana"])
                let both = try #require(try await receiver.waitFor(1).first)
                let signatures = try #require(both.headers[HTTPField.Name("webhook-signature")!])
                let id1 = try #require(both.headers[HTTPField.Name("webhook-id")!])
                let time1 = try #require(both.headers[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
                let body1 = Array(both.body.utf8)
                // Both secrets sign, newest first: receivers holding either one verify.
                #expect(signatures == WebhookSigner(secrets: [second, first]).signature(id: id1, timestamp: time1, body: body1))
                #expect(signatures.split(separator: " ").count == 2)
                // Ending the old secret at once: only the newest signs.
                let again = try await api.post("/v1/subscriptions/\(id)/rotate-secret", ["previous_secret_expires_in": 0])
                let third = try #require(again.json["secret"]?.stringValue)
                _ = try await api.createCustomer(["name": "Bea"])
                let calls = try await receiver.waitFor(2)
                try #require(calls.count == 2)
                let call = calls[1]
                let id2 = try #require(call.headers[HTTPField.Name("webhook-id")!])
                let time2 = try #require(call.headers[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
                #expect(call.headers[HTTPField.Name("webhook-signature")!]
                        == WebhookSigner(secrets: [third]).signature(id: id2, timestamp: time2, body: Array(call.body.utf8)))
                expectProblem(try await api.post("/v1/subscriptions/\(id)/rotate-secret", ["previous_secret_expires_in": -1]),
                              .unprocessableContent, field: "previous_secret_expires_in")
                expectProblem(try await api.post("/v1/subscriptions/sub_missing/rotate-secret", [:]), .notFound)
                // The secret is never shown again.
                #expect(try await api.get("/v1/subscriptions/\(id)").json["secret"] == nil)
            }
        }
    }

    @Test("a subscription is paused, changed and turned back on with PATCH", arguments: Backend.available)
    func pauseAndResume(backend: Backend) async throws {
        let receiver = Receiver()
        // A second subscription to the same events, never paused: its deliveries move the fan-out's
        // position at once, so the test can tell when the paused one was passed over.
        let marker = Receiver()
        try await receiver.listening { sink in
            try await marker.listening { markerSink in
                try await withApp(backend) { api, _ in
                    let (id, _) = try await Self.subscribe(api, sink: sink, filters: [["prefix": ["type": "rapport.channel."]]])
                    _ = try await Self.subscribe(api, sink: markerSink, filters: [["prefix": ["type": "rapport.channel."]]])
                    let paused = try await api.patch("/v1/subscriptions/\(id)", ["status": "disabled", "description": .null])
                    try #require(paused.status == .ok, "\(paused.text)")
                    #expect(paused.json["status"]?.stringValue == "disabled")
                    #expect(paused.json["description"] == .null)
                    #expect(paused.json["disabled_reason"]?.stringValue?.contains("api_key") == true)
                    _ = try await api.createChannel(kind: "web", name: "Paused shop")
                    // Once the fan-out has read past the channel's creation (queueing it for the marker), the
                    // paused subscription was passed over: a delivery is queued then or never.
                    try await api.waitForConsumer("webhooks", toReach: try await api.eventHead())
                    #expect(receiver.calls.isEmpty)
                    let resumed = try await api.patch("/v1/subscriptions/\(id)",
                                                      ["status": "active", "filters": [["prefix": ["type": "rapport.customer."]]]])
                    #expect(resumed.json["status"]?.stringValue == "active")
                    #expect(resumed.json["disabled_reason"] == .null)
                    #expect(resumed.json["filters"]?[0]?["prefix"]?["type"]?.stringValue == "rapport.customer.")
                    let customer = try await api.createCustomer(["name": "Ana"])
                    let calls = try await receiver.waitFor(1)
                    let types = calls.compactMap { (try? JSONParser.parse($0.body))?["type"]?.stringValue }
                    #expect(types.last == "rapport.customer.created", "\(types)")
                    #expect(calls.compactMap { (try? JSONParser.parse($0.body))?["data"]?["customer"]?["id"] }.last == customer["id"])
                    expectProblem(try await api.patch("/v1/subscriptions/\(id)", ["filters": [["cel": "tpye == 1"]]]),
                                  .unprocessableContent, field: "filters[0].cel")
                    expectProblem(try await api.patch("/v1/subscriptions/\(id)", ["sink": "ftp://example.com"]), .unprocessableContent, field: "sink")
                    expectProblem(try await api.patch("/v1/subscriptions/\(id)", ["status": "sleeping"]), .unprocessableContent, field: "status")
                    expectProblem(try await api.patch("/v1/subscriptions/\(id)", [:]), .unprocessableContent, field: "body")
                    expectProblem(try await api.patch("/v1/subscriptions/sub_missing", ["status": "active"]), .notFound)
                }
            }
        }
    }

    @Test("bad subscriptions are refused naming the field", arguments: Backend.available)
    func validation(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            expectProblem(try await api.post("/v1/subscriptions", ["sink": "ftp://example.com/x"]), .unprocessableContent, field: "sink")
            expectProblem(try await api.post("/v1/subscriptions", ["sink": "http://127.0.0.1:9/x", "filters": [["cel": "tpye == 1"]]]),
                          .unprocessableContent, field: "filters[0].cel")
            expectProblem(try await api.post("/v1/subscriptions", ["filters": []]), .unprocessableContent, field: "sink")
            expectProblem(try await api.delete("/v1/subscriptions/sub_missing"), .notFound)
        }
    }
}

@Suite("Webhooks across nodes")
struct WebhookClusterTests {
    @Test("two nodes on one database send each event once per subscription", arguments: Backend.available)
    func eachEventOnce(backend: Backend) async throws {
        let receiver = Receiver()
        let count = 40
        try await receiver.listening { sink in
            try await TestDatabases.withLocation(backend) { location in
                try await Store.withRunning(location, logger: TestDatabases.logger) { first in
                    let subscription = try await first.write { tx in
                        try await first.subscriptions.createSubscription(NewSubscription(sink: sink, filters: [["prefix": ["type": "rapport.customer."]]],
                                                                            description: nil),
                                                            secret: WebhookSigner.newSecret(), role: .admin, actor: .system, in: tx)
                    }
                    try await withThrowingTaskGroup(of: Void.self) { nodes in
                        for _ in 0..<2 {
                            nodes.addTask {
                                try await Store.withRunning(location, logger: TestDatabases.logger, migrate: false) { store in
                                    let dispatcher = WebhookDispatcher(
                                        store: store, logger: TestDatabases.logger, policy: NetworkAddressPolicy(allowPrivate: true),
                                        schedule: RetrySchedule(delays: [.zero, .milliseconds(100)]))
                                    // Each node runs its dispatcher until every delivery is recorded as delivered.
                                    // An attempt is recorded after the receiver answered, and a delivered one
                                    // is never leased again: then nothing is in flight and nothing more is sent.
                                    try await withThrowingTaskGroup(of: Void.self) { group in
                                        group.addTask { try await dispatcher.run() }
                                        group.addTask {
                                            try await waitUntil("all \(count) deliveries recorded as delivered") {
                                                let deliveries = try await store.subscriptions.deliveries(of: subscription.id, limit: 1_000)
                                                return deliveries.count == count && deliveries.allSatisfy { $0.status == .delivered }
                                            }
                                        }
                                        try await group.next()
                                        group.cancelAll()
                                    }
                                }
                            }
                        }
                        for index in 0..<count {
                            _ = try await first.write { tx in try await first.customers.createCustomer(NewCustomer(name: "Person \(index)"), actor: .system, in: tx) }
                        }
                        try await nodes.waitForAll()
                    }
                }
            }
        }
        let ids = receiver.calls.compactMap { $0.headers[HTTPField.Name("webhook-id")!] }
        #expect(Set(ids).count == count)
        #expect(ids.count == count, "\(ids.count) deliveries for \(count) events")
    }
}
