import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import RapportCore
import RapportTestSupport
import Synchronization
import Testing
import WSClient

/// A client connection to `/v1/events/ws`: what it sends, and every message it has received.
final class EventSocket: Sendable {
    private let received = Mutex<[JSONValue]>([])
    private let outgoing: AsyncStream<String>.Continuation

    init(outgoing: AsyncStream<String>.Continuation) {
        self.outgoing = outgoing
    }

    func send(_ message: JSONValue) { outgoing.yield(message.jsonString) }
    func send(text: String) { outgoing.yield(text) }
    /// Closes the connection from the client's side.
    func finish() { outgoing.finish() }
    func receive(_ message: JSONValue) { received.withLock { $0.append(message) } }

    var messages: [JSONValue] { received.withLock { $0 } }

    /// The `event` messages of subscription `id`, in the order they arrived.
    func events(_ id: String) -> [JSONValue] {
        messages.filter { $0["type"]?.stringValue == "event" && $0["subscription"]?.stringValue == id }
    }

    /// The first message of `type` about subscription `id` (the `id` member), if any.
    func reply(_ type: String, id: String?) -> JSONValue? {
        messages.first { $0["type"]?.stringValue == type && $0["id"]?.stringValue == id }
    }

    /// Returns once `condition` holds for what has been received; fails the test when it does not
    /// come to hold (naming what did arrive).
    func waitUntil(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                   _ condition: (EventSocket) -> Bool) async throws {
        try await RapportTestSupport.waitUntil("\(what); received \(messages.map(\.jsonString))", sourceLocation: sourceLocation) {
            condition(self)
        }
    }

    /// Waits for the reply of `type` about `id`; nil (and a recorded failure) when none comes.
    func awaitReply(_ type: String, id: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue? {
        try await waitUntil("\(type) \(id ?? "-")", sourceLocation: sourceLocation) { $0.reply(type, id: id) != nil }
        return reply(type, id: id)
    }

    /// Waits until subscription `id` has received `count` events; returns them.
    func awaitEvents(_ id: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [JSONValue] {
        try await waitUntil("\(count) events on \(id)", sourceLocation: sourceLocation) { $0.events(id).count >= count }
        return events(id)
    }

    /// Sends `subscribe` and waits for `subscribed`; its `after`.
    @discardableResult
    func subscribe(_ id: String, after: String? = nil, filter: String? = nil, filters: JSONValue? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> String? {
        var message: JSONObject = ["type": "subscribe", "id": .string(id)]
        if let after { message["after"] = .string(after) }
        if let filter { message["filter"] = .string(filter) }
        if let filters { message["filters"] = filters }
        send(.object(message))
        return try await awaitReply("subscribed", id: id, sourceLocation: sourceLocation)?["after"]?.stringValue
    }
}

extension EventSocket {
    /// Opens `/v1/events/ws` on the server at `port` with `secret`; the connection runs until
    /// `finish` is called on the socket or the server closes it, and the task returns the close frame.
    static func open(port: Int, secret: String) -> (EventSocket, Task<WebSocketCloseFrame?, any Error>) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let socket = EventSocket(outgoing: continuation)
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders[.authorization] = "Bearer \(secret)"
        let connection = Task { [configuration] in
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/events/ws", configuration: configuration,
                                              logger: TestDatabases.logger) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { socket.receive((try? JSONParser.parse(text)) ?? .string(text)) }
                    }
                    group.cancelAll()
                }
            }
        }
        return (socket, connection)
    }
}

extension API {
    /// Opens `/v1/events/ws` with `secret` (the admin key by default); the connection runs until
    /// `finish` is called on the socket or the server closes it, and the task returns the close frame.
    func openEventSocket(secret: String? = nil) throws -> (EventSocket, Task<WebSocketCloseFrame?, any Error>) {
        EventSocket.open(port: try #require(client.port), secret: secret ?? adminKey)
    }

    /// Opens `/v1/events/ws` with `secret` (the admin key by default), runs `body`, then closes.
    func withEventSocket<T: Sendable>(secret: String? = nil, _ body: @Sendable (EventSocket) async throws -> T) async throws -> T {
        let (socket, connection) = try openEventSocket(secret: secret)
        do {
            let result = try await body(socket)
            socket.finish()
            _ = try await connection.value
            return result
        } catch {
            socket.finish()
            connection.cancel()
            throw error
        }
    }
}

@Suite("HTTP: live event stream (WebSocket)")
struct EventWebSocketTests {
    static func sequences(_ events: [JSONValue]) -> [String] { events.compactMap { $0["sequence"]?.stringValue } }
    static func names(_ events: [JSONValue]) -> [String] {
        events.compactMap { $0["event"]?["data"]?["customer"]?["name"]?.stringValue }
    }

    /// Creates customer `name` as a marker and waits until each of `subscriptions` has received it.
    /// A subscription sends the log in order, so whatever it was to send before the marker (an
    /// event twice, one its filter should have kept back) has arrived by then.
    static func mark(_ api: API, _ socket: EventSocket, name: String, on subscriptions: [String],
                     sourceLocation: SourceLocation = #_sourceLocation) async throws {
        _ = try await api.createCustomer(["name": .string(name)])
        for id in subscriptions {
            try await socket.waitUntil("the marker \(name) on \(id)", sourceLocation: sourceLocation) { names($0.events(id)).contains(name) }
        }
    }

    @Test("after=0 replays the log in order, then new commits arrive live", arguments: Backend.available)
    func replayThenLive(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            _ = try await api.createCustomer(["name": "Ana"])
            _ = try await api.createCustomer(["name": "Bea"])
            let logged = try await api.events()
            try await api.withEventSocket { socket in
                #expect(try await socket.subscribe("all", after: "0") == "0")
                let head = try await socket.subscribe("new")
                #expect(head == logged.last?["sequence"]?.stringValue.flatMap { Int64($0) }.map { String($0) })
                let replayed = try await socket.awaitEvents("all", count: logged.count)
                #expect(replayed.map { $0["event"]?["id"]?.stringValue } == logged.map { $0["id"]?.stringValue })
                let sequences = Self.sequences(replayed).compactMap { Int64($0) }
                #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
                #expect(replayed.first?["event"]?["specversion"]?.stringValue == "1.0")

                _ = try await api.createCustomer(["name": "Caio"])
                let live = try await socket.awaitEvents("all", count: logged.count + 1)
                #expect(Self.names(live) == ["Ana", "Bea", "Caio"])
                let fresh = try await socket.awaitEvents("new", count: 1)
                #expect(Self.names(fresh) == ["Caio"])
                #expect(Self.sequences(fresh) == [Self.sequences(live).last].compactMap { $0 })
                try await Self.mark(api, socket, name: "Dora", on: ["all"])
                // Each event exactly once: the logged ones, Caio, and the marker.
                #expect(socket.events("all").count == logged.count + 2, "each event exactly once")
            }
        }
    }

    @Test("CEL and subscription-dialect filters narrow a subscription; both together must match", arguments: Backend.available)
    func filters(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let start = try await api.eventHead()
            _ = try await api.createCustomer(["name": "Ana"])
            _ = try await api.createChannel(kind: "email", name: "Support inbox")
            _ = try await api.createCustomer(["name": "Bea"])
            _ = try await api.createCustomer(["name": "Bruno"])
            try await api.withEventSocket { socket in
                try await socket.subscribe("cel", after: String(start), filter: #"data.customer.name.startsWith("B")"#)
                try await socket.subscribe("prefix", after: String(start), filters: [["prefix": ["type": "rapport.customer."]]])
                try await socket.subscribe("both", after: String(start), filter: #"data.customer.name.endsWith("a")"#,
                                           filters: [["exact": ["type": "rapport.customer.created"]]])
                try await socket.subscribe("channels", after: String(start), filters: [["suffix": ["type": ".channel.created"]]])
                #expect(Self.names(try await socket.awaitEvents("cel", count: 2)) == ["Bea", "Bruno"])
                #expect(Self.names(try await socket.awaitEvents("prefix", count: 3)) == ["Ana", "Bea", "Bruno"])
                #expect(Self.names(try await socket.awaitEvents("both", count: 2)) == ["Ana", "Bea"])
                let channels = try await socket.awaitEvents("channels", count: 1)
                #expect(channels.map { $0["event"]?["type"]?.stringValue } == ["rapport.channel.created"])
                // "Bella" passes all three filters: nothing but it came after the events above.
                try await Self.mark(api, socket, name: "Bella", on: ["cel", "prefix", "both"])
                #expect(socket.events("cel").count == 2 + 1 && socket.events("prefix").count == 3 + 1 && socket.events("both").count == 2 + 1)
            }
        }
    }

    @Test("a key sees only the event types its role may read", arguments: Backend.available)
    func visibility(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let viewer = try await api.createKey(role: "viewer")
            _ = try await api.createCustomer(["name": "Ana"])
            let everything = try await api.events()
            let readable = try await api.get("/v1/events?after=0&limit=1000", auth: .bearer(viewer.secret)).items
            #expect(readable.count < everything.count, "the viewer may not read API key events")
            try await api.withEventSocket(secret: viewer.secret) { socket in
                try await socket.subscribe("mine", after: "0")
                let seen = try await socket.awaitEvents("mine", count: readable.count)
                #expect(seen.map { $0["event"]?["id"]?.stringValue } == readable.map { $0["id"]?.stringValue })
                _ = try await api.createKey(role: "agent")
                _ = try await api.createCustomer(["name": "Bea"])
                let later = try await socket.awaitEvents("mine", count: readable.count + 1)
                #expect(later.last?["event"]?["type"]?.stringValue == "rapport.customer.created")
                try await Self.mark(api, socket, name: "Caio", on: ["mine"])
                // Bea, then the marker.
                #expect(socket.events("mine").count == readable.count + 1 + 1)
                #expect(!socket.events("mine").contains { $0["event"]?["type"]?.stringValue?.contains("key") == true })
            }
        }
    }

    @Test("malformed messages get an error naming the field, and the connection keeps working", arguments: Backend.available)
    func malformedMessages(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await api.withEventSocket { socket in
                func expectError(id: String?, field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue? {
                    let error = try await socket.awaitReply("error", id: id, sourceLocation: sourceLocation)
                    let problem = error?["problem"]
                    let fields = problem?["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
                    #expect(fields.contains(field), "expected field \(field) in \(error?.jsonString ?? "nothing")",
                            sourceLocation: sourceLocation)
                    #expect(problem?["type"]?.stringValue?.hasPrefix("https://rapport.dev/problems/") == true, sourceLocation: sourceLocation)
                    #expect(problem?["status"]?.intValue != nil && problem?["title"] != nil && problem?["detail"] != nil,
                            sourceLocation: sourceLocation)
                    return problem
                }
                socket.send(text: "not json")
                _ = try await expectError(id: nil, field: "message")
                socket.send(["type": "subscribe?", "id": "t"])
                _ = try await expectError(id: "t", field: "type")
                socket.send(["type": "subscribe", "id": "f1", "filter": "tpye == \"x\""])
                let cel = try await expectError(id: "f1", field: "filter")
                let message = cel?["errors"]?[0]?["message"]?.stringValue ?? ""
                #expect(message.hasPrefix("1:1"), "line:column first: \(message)")
                #expect(message.contains("did you mean 'type'"), "\(message)")
                socket.send(["type": "subscribe", "id": "f2", "filters": [["prefix": ["type": 1]]]])
                _ = try await expectError(id: "f2", field: "filters[0].prefix.type")
                socket.send(["type": "subscribe", "id": "a1", "after": "minus one"])
                _ = try await expectError(id: "a1", field: "after")
                let long = String(repeating: "x", count: 65)
                socket.send(["type": "subscribe", "id": .string(long)])
                _ = try await expectError(id: long, field: "id")
                socket.send(["type": "unsubscribe", "id": "never"])
                _ = try await expectError(id: "never", field: "id")
                #expect(socket.events("f1").isEmpty)

                try await socket.subscribe("ok")
                _ = try await api.createCustomer(["name": "Ana"])
                #expect(Self.names(try await socket.awaitEvents("ok", count: 1)) == ["Ana"])
            }
        }
    }

    @Test("unsubscribe stops delivery to that subscription only; re-subscribing replaces", arguments: Backend.available)
    func unsubscribe(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            try await api.withEventSocket { socket in
                try await socket.subscribe("gone")
                try await socket.subscribe("kept", filter: "type == \"rapport.channel.created\"")
                socket.send(["type": "unsubscribe", "id": "gone"])
                _ = try await socket.awaitReply("unsubscribed", id: "gone")
                // Replacing "kept" drops its filter.
                socket.send(["type": "subscribe", "id": "kept"])
                try await socket.waitUntil("kept subscribed twice") { socket in
                    socket.messages.filter { $0["type"]?.stringValue == "subscribed" && $0["id"]?.stringValue == "kept" }.count == 2
                }
                _ = try await api.createCustomer(["name": "Ana"])
                #expect(Self.names(try await socket.awaitEvents("kept", count: 1)) == ["Ana"])
                try await Self.mark(api, socket, name: "Bea", on: ["kept"])
                #expect(socket.events("gone").isEmpty)
                // Ana, then the marker.
                #expect(socket.events("kept").count == 1 + 1)
            }
        }
    }

    @Test("a client that reconnects with the last sequence it saw gets exactly the rest", arguments: Backend.available)
    func resumeAfterReconnect(backend: Backend) async throws {
        try await withApp(backend) { api, _ in
            let start = try await api.eventHead()
            for name in ["Ana", "Bea", "Caio"] { _ = try await api.createCustomer(["name": .string(name)]) }
            let last = try await api.withEventSocket { socket in
                try await socket.subscribe("s", after: String(start), filter: "type == \"rapport.customer.created\"")
                return Self.sequences(try await socket.awaitEvents("s", count: 2)).prefix(2).last
            }
            let resumeAt = try #require(last)
            for name in ["Dora", "Edu"] { _ = try await api.createCustomer(["name": .string(name)]) }
            try await api.withEventSocket { socket in
                #expect(try await socket.subscribe("s", after: resumeAt, filter: "type == \"rapport.customer.created\"") == resumeAt)
                let rest = try await socket.awaitEvents("s", count: 3)
                #expect(Self.names(rest) == ["Caio", "Dora", "Edu"])
                try await Self.mark(api, socket, name: "Fay", on: ["s"])
                // The three, then the marker.
                #expect(socket.events("s").count == 3 + 1)
            }
        }
    }

    @Test("the handshake needs an API key; a plain GET is told to upgrade")
    func handshake() async throws {
        try await withApp { api, _ in
            expectProblem(try await api.get("/v1/events/ws", auth: .none), .unauthorized, type: "unauthorized")
            let plain = try await api.get("/v1/events/ws")
            expectProblem(plain, HTTPResponse.Status(code: 426), type: "upgrade-required")
            await #expect(throws: (any Error).self) {
                try await api.withEventSocket(secret: "not-a-key") { _ in }
            }
        }
    }

    /// Without `OpenEventSockets` run before it (the test harness runs the application alone),
    /// hummingbird-websocket closes every connection with 1000 as soon as the server's graceful
    /// shutdown begins, which races the session's resume messages and 1001; either way the
    /// connection ends promptly, and any resume position sent is exact.
    @Test("server shutdown ends the connection; a resume position, when sent, is the last event sent")
    func shutdown() async throws {
        let opened = Mutex<(EventSocket, Task<WebSocketCloseFrame?, any Error>)?>(nil)
        try await withApp { api, _ in
            _ = try await api.createCustomer(["name": "Ana"])
            let (socket, connection) = try api.openEventSocket()
            opened.withLock { $0 = (socket, connection) }
            try await socket.subscribe("all", after: "0")
            _ = try await socket.awaitEvents("all", count: try await api.events().count)
        }
        let (socket, connection) = try #require(opened.withLock { $0 })
        let close = try await connection.value
        #expect(close?.closeCode == .normalClosure || close?.closeCode == .goingAway, "\(String(describing: close))")
        if let resume = socket.reply("resume", id: "all") {
            #expect(resume["after"]?.stringValue == socket.events("all").last?["sequence"]?.stringValue)
        }
    }

    /// As `rapport serve` runs it, the event sockets are ended before the HTTP server stops: every
    /// subscription is told exactly where to resume and the connection closes with 1001, always.
    @Test("served as rapport serve: on shutdown every subscription gets its resume position, then 1001")
    func shutdownHandsOver() async throws {
        try await withServedApp { served in
            let request = TestClient.Request("/v1/customers", method: .post, authority: "localhost",
                                             headers: [.authorization: "Bearer \(served.adminKey)", .contentType: "application/json",
                                                       .connection: "keep-alive"],
                                             body: ByteBuffer(string: #"{"name": "Ana"}"#))
            let created = try await served.client.execute(request)
            #expect(created.status == .created)
            let (socket, connection) = EventSocket.open(port: served.port, secret: served.adminKey)
            try await socket.subscribe("all", after: "0")
            let head = try #require(try await socket.subscribe("later"))
            try await socket.waitUntil("the customer's event on all") { Self.names($0.events("all")).contains("Ana") }

            try await served.shutDown()
            let close = try await connection.value
            #expect(close?.closeCode == .goingAway, "\(String(describing: close))")
            let all = try #require(socket.reply("resume", id: "all"), "no resume for all: \(socket.messages.map(\.jsonString))")
            #expect(all["after"]?.stringValue == socket.events("all").last?["sequence"]?.stringValue)
            // A subscription that was sent nothing resumes where it began.
            let laterSent = socket.events("later").last?["sequence"]?.stringValue ?? head
            #expect(socket.reply("resume", id: "later")?["after"]?.stringValue == laterSent)
        }
    }
}
