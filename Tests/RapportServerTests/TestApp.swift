import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RapportCore
import RapportServer
import RapportStore
import SQLKit
import Synchronization
import RapportTestSupport
import ServiceLifecycle
import Testing

/// Holds the first admin key's secret, announced while the application starts.
private final class SecretBox: Sendable {
    private let value = Mutex<String?>(nil)
    func set(_ secret: String) { value.withLock { $0 = secret } }
    func get() -> String? { value.withLock { $0 } }
}

/// Runs `body` against a fresh Rapport server on its own empty database, with an admin key.
///
/// The server runs live (real sockets) so that the store service and the start-up migrations run
/// as in production. Everything is shut down and the database removed afterwards.
func withApp(
    _ backend: Backend = .sqlite,
    maxBodyBytes: Int = 1_048_576,
    catalog: RouteCatalog = RouteCatalog(),
    mail: MailSettings = MailSettings(),
    publicURL: String? = nil,
    _ body: @Sendable (API, String) async throws -> Void
) async throws {
    try await TestDatabases.withLocation(backend) { location in
        let store = try await Store.open(location, logger: TestDatabases.logger)
        let secret = SecretBox()
        // Webhook receivers in tests listen on loopback, and retries come quickly.
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, store: location, defaultPhoneRegion: "US",
                                                maxBodyBytes: maxBodyBytes, webhooksAllowPrivate: true,
                                                webhookRetrySchedule: RetrySchedule(delays: [.zero, .milliseconds(100), .milliseconds(100)]),
                                                passwordHashCost: 4, mail: mail, publicURL: publicURL)
        let link = SecretBox()
        do {
            let app = StartCheckedApplication(try buildApplication(configuration: configuration, store: store, logger: TestDatabases.logger,
                                                                   catalog: catalog, announceFirstAdminKey: { secret.set($0) },
                                                                   announceFirstAdminLink: { link.set($0) }))
            try await app.test(.live) { client in
                try app.check()
                let adminKey = try #require(secret.get(), "the first admin key was not announced")
                try await body(API(client: client, adminKey: adminKey, firstAdminLink: link.get()), adminKey)
                // A background service that failed meanwhile fails the test.
                try app.check()
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// `withApp`, with the application's store for tests that must reach under the API (to damage a
/// row, say) and check what a client is then told.
func withApp(
    _ backend: Backend = .sqlite,
    mail: MailSettings = MailSettings(),
    latencyClock: any Clock<Duration> = ContinuousClock(),
    _ body: @Sendable (API, String, Store) async throws -> Void
) async throws {
    try await TestDatabases.withLocation(backend) { location in
        let store = try await Store.open(location, logger: TestDatabases.logger)
        let secret = SecretBox()
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, store: location, defaultPhoneRegion: "US",
                                                maxBodyBytes: 1_048_576, webhooksAllowPrivate: true, passwordHashCost: 4, mail: mail)
        do {
            let app = StartCheckedApplication(try buildApplication(configuration: configuration, store: store, logger: TestDatabases.logger,
                                                                   latencyClock: latencyClock, announceFirstAdminKey: { secret.set($0) }))
            try await app.test(.live) { client in
                try app.check()
                let adminKey = try #require(secret.get(), "the first admin key was not announced")
                try await body(API(client: client, adminKey: adminKey), adminKey, store)
                // A background service that failed meanwhile fails the test.
                try app.check()
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// A Rapport server the test runs as `rapport serve` runs it (`servingGroup`).
struct ServedApp: Sendable {
    let port: Int
    let adminKey: String
    /// HummingbirdTesting's client, connected to the server.
    let client: TestClient
    /// Shuts the server down gracefully, as SIGTERM does, and returns once it has stopped.
    let shutDown: @Sendable () async throws -> Void
}

/// Runs `body` against a server run as `rapport serve` runs it, on its own empty SQLite database;
/// the server is shut down after `body` unless `body` did so.
func withServedApp(_ body: @Sendable (ServedApp) async throws -> Void) async throws {
    try await TestDatabases.withLocation(.sqlite) { location in
        let store = try await Store.open(location, logger: TestDatabases.logger)
        let secret = SecretBox()
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, store: location, defaultPhoneRegion: "US",
                                                maxBodyBytes: 1_048_576, passwordHashCost: 4)
        let openSockets = OpenEventSockets()
        let group: ServiceGroup
        do {
            let app = try buildApplication(configuration: configuration, store: store, logger: TestDatabases.logger,
                                           openEventSockets: openSockets, announceFirstAdminKey: { secret.set($0) },
                                           onServerRunning: { portFound.yield($0) })
            group = servingGroup(app: app, openEventSockets: openSockets, onSignals: false, logger: TestDatabases.logger)
        } catch {
            await store.close()
            throw error
        }
        // The port is announced once the server runs; a server that fails to start ends the stream instead.
        let running = Task {
            defer { portFound.finish() }
            try await group.run()
        }
        let shutDown: @Sendable () async throws -> Void = {
            await group.triggerGracefulShutdown()
            try await running.value
        }
        do {
            guard let port = await ports.first(where: { _ in true }) else {
                try await running.value
                throw StartError(underlying: ServedAppEnded())
            }
            let adminKey = try #require(secret.get(), "the first admin key was not announced")
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20)))
            client.connect()
            do {
                try await body(ServedApp(port: port, adminKey: adminKey, client: client, shutDown: shutDown))
            } catch {
                try? await client.shutdown()
                throw error
            }
            try? await client.shutdown()
            try await shutDown()
        } catch {
            try? await shutDown()
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// The served application stopped before it announced its port.
private struct ServedAppEnded: Error {}

// MARK: - Client

/// Which credentials a request carries.
enum Auth: Sendable {
    /// `Bearer <the admin key>`.
    case admin
    /// No Authorization header.
    case none
    /// `Bearer <secret>`.
    case bearer(String)
    /// The Authorization header exactly as given.
    case header(String)
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}

/// A response, with its body kept as bytes and parsed on demand.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The body as JSON; `.null` when it is not JSON.
    var json: JSONValue { (try? JSONParser.parse(bytes)) ?? .null }
    /// `data` of a list response.
    var items: [JSONValue] { json["data"]?.arrayValue ?? [] }
    var nextCursor: String? { json["next_cursor"]?.stringValue }
    /// `errors[].field` of a problem response.
    var errorFields: [String] { json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [] }
}

/// The test client, with the admin key and small helpers for the API's conventions.
struct API: Sendable {
    let client: any TestClientProtocol
    let adminKey: String
    /// The first admin's password setup link (`/#/setup?token=…`), announced at start.
    var firstAdminLink: String? = nil

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: JSONValue? = nil, body: String? = nil,
        auth: Auth = .admin, contentType: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        switch auth {
        case .admin: headers[.authorization] = "Bearer \(adminKey)"
        case .none: break
        case .bearer(let secret): headers[.authorization] = "Bearer \(secret)"
        case .header(let value): headers[.authorization] = value
        }
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(bytes: json.serialized())
            headers[.contentType] = contentType ?? "application/json"
        } else if let body {
            buffer = ByteBuffer(string: body)
            headers[.contentType] = contentType ?? "application/json"
        } else if let contentType {
            headers[.contentType] = contentType
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        return Reply(status: response.status, headers: response.headers, bytes: Array(response.body.readableBytesView))
    }

    func get(_ uri: String, auth: Auth = .admin, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.get, uri, auth: auth, headers: headers)
    }

    @discardableResult
    func post(_ uri: String, _ json: JSONValue, auth: Auth = .admin, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.post, uri, json: json, auth: auth, headers: headers)
    }

    @discardableResult
    func patch(_ uri: String, _ json: JSONValue, auth: Auth = .admin, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.patch, uri, json: json, auth: auth, headers: headers)
    }

    @discardableResult
    func put(_ uri: String, _ json: JSONValue, auth: Auth = .admin, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.put, uri, json: json, auth: auth, headers: headers)
    }

    @discardableResult
    func delete(_ uri: String, auth: Auth = .admin, headers: HTTPFields = [:]) async throws -> Reply {
        try await request(.delete, uri, auth: auth, headers: headers)
    }

    /// Sends requests over a new connection of its own (the shared one answers one request at a time).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (TestClient) async throws -> T) async throws -> T {
        let port = try #require(client.port)
        return try await TestClient.withClient(host: "127.0.0.1", port: port, operation: body)
    }

    // MARK: Records

    /// POST /v1/customers, which must answer 201; the created customer.
    func createCustomer(_ body: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let reply = try await post("/v1/customers", body)
        try #require(reply.status == .created, "create customer: \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        return reply.json
    }

    /// POST /v1/channels, which must answer 201; the new channel's id.
    func createChannel(kind: String, name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let reply = try await post("/v1/channels", ["kind": .string(kind), "name": .string(name)])
        try #require(reply.status == .created, "create channel: \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply.json["id"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// POST /v1/api-keys, which must answer 201; the key's id and its secret.
    func createKey(role: String, name: String = "test key",
                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> (id: String, secret: String) {
        let reply = try await post("/v1/api-keys", ["name": .string(name), "role": .string(role)])
        try #require(reply.status == .created, "create key: \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        let id = try #require(reply.json["id"]?.stringValue, sourceLocation: sourceLocation)
        let secret = try #require(reply.json["secret"]?.stringValue, sourceLocation: sourceLocation)
        return (id, secret)
    }

    /// Every event on the log after `after`, following `next_cursor`.
    func events(after: Int64 = 0, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [JSONValue] {
        var result: [JSONValue] = []
        var uri = "/v1/events?after=\(after)&limit=1000"
        while true {
            let reply = try await get(uri)
            try #require(reply.status == .ok, "events: \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
            result += reply.items
            guard let next = reply.nextCursor else { return result }
            uri = "/v1/events?after=\(next)&limit=1000"
        }
    }

    /// The sequence of the newest event (0 when the log is empty).
    func eventHead(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int64 {
        try await events(sourceLocation: sourceLocation).last.flatMap { $0["sequence"]?.stringValue }.flatMap { Int64($0) } ?? 0
    }

    /// The saved position of consumer `name` (from `/v1/consumers`); nil before it saved one.
    func consumerPosition(_ name: String) async throws -> Int64? {
        let consumers = try await get("/v1/consumers").items
        return consumers.first { $0["name"]?.stringValue == name }?["position"]?.stringValue.flatMap { Int64($0) }
    }

    /// Returns once consumer `name` has taken in every event up to `position` (read from
    /// `/v1/consumers`): a fact to wait for, not a time. The consumers are "router",
    /// "duplicate-monitor", "webhooks" and "amqp".
    func waitForConsumer(_ name: String, toReach position: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await waitUntil("consumer \(name) to reach \(position)", sourceLocation: sourceLocation) {
            (try await consumerPosition(name) ?? 0) >= position
        }
    }

    /// The sequence of the event with id `id` on the log.
    func sequence(ofEvent id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int64 {
        let event = try await events(sourceLocation: sourceLocation).first { $0["id"]?.stringValue == id }
        return try #require(event?["sequence"]?.stringValue.flatMap { Int64($0) }, "no event \(id) on the log", sourceLocation: sourceLocation)
    }

    /// Opens `uri` on a connection of its own and reads the body as it arrives: for responses that
    /// stream, where a test waits for what the server has sent so far (the test client hands over
    /// a body only once it has ended).
    func openStream(_ uri: String, bearer: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> StreamedResponse {
        let port = try #require(client.port, sourceLocation: sourceLocation)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(uri)")
        request.headers.add(name: "Authorization", value: "Bearer \(bearer ?? adminKey)")
        // The deadline bounds the whole exchange, body included: far beyond any stream a test reads.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return StreamedResponse(response)
    }

    /// Every customer that is not deleted, following `next_cursor`.
    func allCustomers(query: String = "", sourceLocation: SourceLocation = #_sourceLocation) async throws -> [JSONValue] {
        var result: [JSONValue] = []
        var cursor: String?
        repeat {
            var uri = "/v1/customers?limit=500"
            if !query.isEmpty { uri += "&" + query }
            if let cursor { uri += "&cursor=" + encodeQuery(cursor) }
            let reply = try await get(uri)
            try #require(reply.status == .ok, "list customers: \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
            result += reply.items
            cursor = reply.nextCursor
        } while cursor != nil
        return result
    }
}

/// A response whose body is read as it arrives (see `API.openStream`).
final class StreamedResponse: Sendable {
    let status: HTTPResponse.Status
    let contentType: String?
    private final class Received: Sendable {
        let text = Mutex("")
    }
    private let received: Received
    private let reading: Task<Void, any Error>

    init(_ response: HTTPClientResponse) {
        status = HTTPResponse.Status(code: Int(response.status.code))
        contentType = response.headers.first(name: "Content-Type")
        let received = Received()
        self.received = received
        reading = Task {
            for try await chunk in response.body {
                let text = String(buffer: chunk)
                received.text.withLock { $0 += text }
            }
        }
    }

    /// What has arrived so far.
    var text: String { received.text.withLock { $0 } }

    /// Returns once the body so far contains `part`.
    func waitFor(_ part: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await waitUntil("\"\(part)\" on the stream; received \(text.debugDescription)", sourceLocation: sourceLocation) {
            text.contains(part)
        }
    }

    /// The whole body, once the server has ended it.
    func body() async throws -> String {
        try await reading.value
        return text
    }

    deinit { reading.cancel() }
}

// MARK: - JSON and URLs

extension JSONValue {
    /// The member `key` of an object; nil for anything else.
    subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The element at `index` of an array; nil when out of range or not an array.
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// The strings of an array of strings.
    var strings: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}

private let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

/// `text` percent-encoded for a query value or a path segment (everything but unreserved characters).
func encodeQuery(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: unreserved)!
}

// MARK: - Expectations

/// Expects an RFC 9457 problem response with `status`, naming `field` in `errors[]` when given.
func expectProblem(
    _ reply: Reply, _ status: HTTPResponse.Status, type: String? = nil, field: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "expected \(status), got \(reply.status): \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(reply.json["status"]?.intValue == Int64(status.code), "body: \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.json["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(reply.json["type"]?.stringValue?.hasPrefix("https://rapport.dev/problems/") == true, sourceLocation: sourceLocation)
    #expect(reply.json["instance"]?.stringValue?.hasPrefix("/") == true, "body: \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.json["request_id"]?.stringValue?.isEmpty == false, "body: \(reply.text)", sourceLocation: sourceLocation)
    if let type {
        #expect(reply.json["type"]?.stringValue == "https://rapport.dev/problems/" + type, "body: \(reply.text)",
                sourceLocation: sourceLocation)
    }
    if let field {
        #expect(reply.errorFields.contains(field), "expected errors[].field \(field), got \(reply.errorFields): \(reply.text)",
                sourceLocation: sourceLocation)
    }
}

/// The ETag the server gives version `version` of record `id`.
func etag(_ id: String, version: Int) -> String { "\"\(id)-v\(version)\"" }
