import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RapportCore
import RapportStore
import Synchronization
import WSClient

extension Bench {
    /// The web chat's round trips on loopback, with many visitors chatting at once: a visitor's
    /// message sent on the widget's socket until its acknowledgement (stored durably) comes back,
    /// and an agent's reply posted over the API until the visitor's socket receives it (through
    /// the event log and the chat hub).
    struct Chat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat", abstract: "Measure web chat round trips: visitor message to acknowledgement, agent reply to the visitor's socket.")

        @Option(help: "PostgreSQL URL to measure; without it a fresh SQLite directory is used.")
        var databaseURL: String?

        @Option(help: "Visitors chatting at once, each with its own socket, one message in flight each.")
        var visitors = 20

        @Option(help: "Seconds between the starts of a visitor's turns (a message, then an agent's reply); 0 for one turn after another.")
        var interval: Double = 0

        @Option(help: "Seconds to measure.")
        var duration: Double = 10

        @Option(help: "Seconds of warm-up.")
        var warmup: Double = 2

        @Option(help: "The rapport binary to start as the server (default: rapport beside this rapport-bench).")
        var rapportBinary: String?

        func run() async throws {
            var logger = Logger(label: "rapport.bench")
            logger.logLevel = .error
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-bench-\(UUID().uuidString)").path
            defer { if databaseURL == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: directory)
            let binary = try ServerProcess.binary(rapportBinary)
            let run = UUID().uuidString.prefix(8).lowercased()
            let (secret, channelID) = try await Store.withRunning(location, logger: logger) { store in
                let secret = try await store.write { tx in
                    try await store.access.issueAPIKey(APIKeyRequest(name: "bench", role: .admin), actor: .system, in: tx).secret
                }
                let channel = try await store.write { tx in
                    try await store.organization.insertChannel(kind: .chat, name: "bench chat \(run)", settings: [:], actor: .system, in: tx)
                }
                return (secret, channel.id)
            }
            let port = try await ServerProcess.freePort()
            let server = try ServerProcess.start(binary: binary, port: port, location: location)
            defer { server.stop() }
            try await ServerProcess.waitUntilListening(port: port)
            print("rapport-bench chat: store \(location), server pid \(server.pid), \(visitors) visitors, "
                + (interval > 0 ? "a turn every \(interval) s each, " : "one turn after another, ") + "\(duration) s after \(warmup) s warm-up")

            let sample = ChatBenchSample()
            let start = ContinuousClock.now
            let window = (from: start + .seconds(warmup), to: start + .seconds(warmup + duration))
            // One connection per visitor for the agents' posts, so the client's pool is not what waits.
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, visitors)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            let agent = ChatBenchAgent(http: http, baseURL: "http://127.0.0.1:\(port)", secret: secret, channelID: channelID)
            let interval = self.interval
            let socketURL = "ws://127.0.0.1:\(port)/chat/\(channelID)/socket"
            let quiet = logger
            try await withThrowingTaskGroup(of: Void.self) { group in
                for visitor in 0..<visitors {
                    group.addTask {
                        try await Self.chat(visitor: visitor, url: socketURL, agent: agent, interval: interval, visitors: visitors, window: window,
                                            sample: sample, logger: quiet)
                    }
                }
                try await group.waitForAll()
            }
            try await http.shutdown()
            let (visitorTrips, agentTrips) = sample.values
            let sent = LatencySample(milliseconds: visitorTrips.map { Double($0.nanoseconds) / 1e6 })
            let replies = LatencySample(milliseconds: agentTrips.map { Double($0.nanoseconds) / 1e6 })
            print(String(format: "visitor message → acknowledgement: %d round trips (%.0f/s), %@", sent.count,
                         Double(sent.count) / duration, sent.text()))
            print(String(format: "agent reply (POST) → visitor's socket: %d round trips (%.0f/s), %@", replies.count,
                         Double(replies.count) / duration, replies.text()))
        }

        /// One visitor: hello, then in turn a message of its own and an agent's reply, until the window ends.
        static func chat(visitor: Int, url: String, agent: ChatBenchAgent, interval: Double, visitors: Int,
                         window: (from: ContinuousClock.Instant, to: ContinuousClock.Instant), sample: ChatBenchSample, logger: Logger) async throws {
            // Paced visitors start spread over one interval, so their turns do not all come at once.
            let firstTurn = ContinuousClock.now + .seconds(interval * Double(visitor) / Double(max(1, visitors)))
            _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                /// The next frame the server sends of `type`.
                func next(_ type: String) async throws -> JSONValue {
                    while let message = try await frames.next() {
                        guard case .text(let text) = message, let frame = try? JSONParser.parse(text) else { continue }
                        if frame.objectValue?["type"]?.stringValue == type { return frame }
                        if frame.objectValue?["type"]?.stringValue == "error" { throw BenchFailure("chat error: \(text)") }
                    }
                    throw BenchFailure("the chat socket closed")
                }
                try await outbound.write(.text(#"{"type":"hello","name":"Bench visitor \#(visitor)"}"#))
                let welcome = try await next("welcome")
                guard let token = welcome.objectValue?["visitor"]?.stringValue else { throw BenchFailure("no visitor token") }
                var customerID: String?
                var turn = 0
                var nextTurn = firstTurn
                while ContinuousClock.now < window.to {
                    if interval > 0 {
                        // Pacing, not synchronisation: a visitor writes every `interval` seconds.
                        try await Task.sleep(until: nextTurn)
                        nextTurn += .seconds(interval)
                    }
                    turn += 1
                    // The visitor writes; the acknowledgement comes after the commit that stores it.
                    let clientID = "v\(visitor)-\(turn)"
                    let sent = ContinuousClock.now
                    try await outbound.write(.text(#"{"type":"message","client_id":"\#(clientID)","text":"Where is my order? (\#(turn))"}"#))
                    var ack = try await next("message")
                    while ack.objectValue?["client_id"]?.stringValue != clientID { ack = try await next("message") }
                    let acknowledged = ContinuousClock.now
                    if sent >= window.from, acknowledged <= window.to { sample.addVisitor(acknowledged - sent) }
                    if customerID == nil, let id = ack.objectValue?["id"]?.stringValue { customerID = try await agent.customer(ofInteraction: id) }

                    // An agent answers in the visitor's conversation; the socket hears it as it commits.
                    guard let customerID else { throw BenchFailure("the visitor's customer is unknown") }
                    let body = "It ships today (\(visitor)-\(turn))."
                    let posted = ContinuousClock.now
                    try await agent.reply(customerID: customerID, threadKey: "chat:\(token)", body: body)
                    var reply = try await next("message")
                    while reply.objectValue?["text"]?.stringValue != body { reply = try await next("message") }
                    let received = ContinuousClock.now
                    if posted >= window.from, received <= window.to { sample.addAgent(received - posted) }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
    }
}

/// The round trips of the measured window, from every visitor.
final class ChatBenchSample: Sendable {
    private let storage = Mutex<(visitor: [Duration], agent: [Duration])>(([], []))

    func addVisitor(_ latency: Duration) { storage.withLock { $0.visitor.append(latency) } }
    func addAgent(_ latency: Duration) { storage.withLock { $0.agent.append(latency) } }
    var values: (visitor: [Duration], agent: [Duration]) { storage.withLock { $0 } }
}

/// The agent's side, over the API: replies stored as outbound interactions in a visitor's thread.
struct ChatBenchAgent: Sendable {
    let http: HTTPClient
    let baseURL: String
    let secret: String
    let channelID: String

    func customer(ofInteraction id: String) async throws -> String {
        let value = try await send(.GET, "/v1/interactions/\(id)", body: nil, expect: 200)
        guard let customerID = value.objectValue?["customer_id"]?.stringValue else { throw BenchFailure("interaction \(id) has no customer") }
        return customerID
    }

    func reply(customerID: String, threadKey: String, body: String) async throws {
        let json: JSONValue = ["channel_id": .string(channelID), "customer_id": .string(customerID), "direction": "outbound", "kind": "message",
                               "body": .string(body), "metadata": ["thread_id": .string(threadKey)]]
        _ = try await send(.POST, "/v1/interactions", body: json, expect: 201)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: JSONValue?, expect status: UInt) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secret)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == status else {
            throw BenchFailure("\(method) \(path): \(response.status.code) \(String(buffer: bytes))")
        }
        return try JSONParser.parse(Array(bytes.readableBytesView))
    }
}
