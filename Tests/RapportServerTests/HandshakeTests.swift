import Foundation
import RapportCore
import RapportServer
import RapportTestSupport
import Testing

/// What the server answers below its router: WebSocket handshakes RFC 6455 refuses, handshakes
/// without credentials, and requests that are not HTTP at all. Each exchange runs over a raw
/// blocking socket on a thread of its own.
@Suite("HTTP: malformed requests and WebSocket handshakes")
struct HandshakeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// A handshake for /v1/events/ws with `headers` (name: value) in place of the defaults; a nil value leaves the header out.
    static func handshake(_ headers: KeyValuePairs<String, String?> = [:], path: String = "/v1/events/ws") -> String {
        var fields: [(String, String?)] = [("Host", "127.0.0.1"), ("Connection", "Upgrade"), ("Upgrade", "websocket"),
                                           ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
        for (name, value) in headers {
            if let index = fields.firstIndex(where: { $0.0 == name }) { fields[index].1 = value } else { fields.append((name, value)) }
        }
        let lines = fields.compactMap { name, value in value.map { "\(name): \($0)\r\n" } }
        return "GET \(path) HTTP/1.1\r\n" + lines.joined() + "\r\n"
    }

    /// Sends `request` on a new connection; the whole answer, which must end with the server closing.
    static func exchange(_ api: API, _ request: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> RawReply {
        let port = try #require(api.client.port, sourceLocation: sourceLocation)
        let text = try await onOwnThread { try RawConnection.exchange(port: port, request) }
        return RawReply(try #require(text, "no answer, or the connection was left open", sourceLocation: sourceLocation))
    }

    @Test("a handshake without Sec-WebSocket-Key is answered 400 naming it")
    func missingKey() async throws {
        try await withApp { api, adminKey in
            let reply = try await Self.exchange(api, Self.handshake(["Sec-WebSocket-Key": nil, "Authorization": "Bearer \(adminKey)"]))
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.header("Content-Type") == "application/problem+json")
            #expect(reply.errorFields == ["Sec-WebSocket-Key"])
            let malformed = try await Self.exchange(api, Self.handshake(["Sec-WebSocket-Key": "c2hvcnQ=", "Authorization": "Bearer \(adminKey)"]))
            #expect(malformed.status == 400, "\(malformed.text)")
        }
    }

    @Test("a handshake for another WebSocket version is answered 426 with Sec-WebSocket-Version: 13")
    func otherVersion() async throws {
        try await withApp { api, adminKey in
            let reply = try await Self.exchange(api, Self.handshake(["Sec-WebSocket-Version": "8", "Authorization": "Bearer \(adminKey)"]))
            #expect(reply.status == 426, "\(reply.text)")
            #expect(reply.header("Sec-WebSocket-Version") == "13")
            #expect(reply.errorFields == ["Sec-WebSocket-Version"])
        }
    }

    @Test("a handshake missing Upgrade in Connection, Sec-WebSocket-Version or Upgrade is 400 naming it; a plain GET 426")
    func incompleteHandshakes() async throws {
        try await withApp { api, adminKey in
            let connection = try await Self.exchange(api, Self.handshake(["Connection": "O~", "Authorization": "Bearer \(adminKey)"]))
            #expect(connection.status == 400, "\(connection.text)")
            #expect(connection.errorFields == ["Connection"])
            let version = try await Self.exchange(api, Self.handshake(["Sec-WebSocket-Version": nil, "Authorization": "Bearer \(adminKey)"]))
            #expect(version.status == 400, "\(version.text)")
            #expect(version.errorFields == ["Sec-WebSocket-Version"])
            let upgrade = try await Self.exchange(api, Self.handshake(["Upgrade": nil, "Connection": "close", "Authorization": "Bearer \(adminKey)"]))
            #expect(upgrade.status == 400, "\(upgrade.text)")
            #expect(upgrade.errorFields == ["Upgrade"])
            // An Upgrade this server does not offer is ignored (NIO's upgrader used to drop such requests unanswered).
            // It is answered and the connection closed: the parser reads nothing after such a request.
            let other = try await Self.exchange(api, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
            #expect(other.status == 200, "\(other.text)")
            let method = try await Self.exchange(api, "TRACE /v1/events/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            #expect(method.status == 405, "\(method.text)")
            let plain = try await api.get("/v1/events/ws")
            #expect(plain.status.code == 426, "\(plain.text)")
        }
    }

    @Test("a valid handshake without credentials is answered 401 problem+json with WWW-Authenticate")
    func unauthenticated() async throws {
        try await withApp { api, _ in
            let reply = try await Self.exchange(api, Self.handshake())
            #expect(reply.status == 401, "\(reply.text)")
            #expect(reply.header("Content-Type") == "application/problem+json")
            #expect(reply.header("WWW-Authenticate") == "Bearer realm=\"rapport\"")
            #expect(reply.json["type"]?.stringValue == Problem.typeBase + "unauthorized")
            #expect(reply.json["instance"]?.stringValue == "/v1/events/ws")
            let wrongKey = try await Self.exchange(api, Self.handshake(["Authorization": "Bearer rpk_not_a_key"]))
            #expect(wrongKey.status == 401, "\(wrongKey.text)")
            // Credentials come first, as on every /v1 route: a malformed handshake without them is 401 too.
            let malformed = try await Self.exchange(api, Self.handshake(["Sec-WebSocket-Key": "0"]))
            #expect(malformed.status == 401, "\(malformed.text)")
            #expect(malformed.header("WWW-Authenticate") == "Bearer realm=\"rapport\"")
        }
    }

    @Test("a handshake with an unknown query parameter or for another path is refused with a problem")
    func queryAndPath() async throws {
        try await withApp { api, adminKey in
            let query = try await Self.exchange(api, Self.handshake(["Authorization": "Bearer \(adminKey)"], path: "/v1/events/ws?x=1"))
            #expect(query.status == 400, "\(query.text)")
            #expect(query.errorFields == ["x"])
            let elsewhere = try await Self.exchange(api, Self.handshake(["Authorization": "Bearer \(adminKey)"], path: "/v1/customers"))
            #expect(elsewhere.status == 404, "\(elsewhere.text)")
        }
    }

    @Test("a control character in a header or a garbage request line is answered 400 and the connection closed")
    func malformedRequests() async throws {
        try await withApp { api, _ in
            let nul = try await Self.exchange(api, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe: a\u{0}b\r\n\r\n")
            #expect(nul.status == 400, "\(nul.text)")
            #expect(nul.header("Content-Type") == "application/problem+json")
            let control = try await Self.exchange(api, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe: a\u{1}b\r\n\r\n")
            #expect(control.status == 400, "\(control.text)")
            let garbage = try await Self.exchange(api, "GARBAGE\r\n\r\n")
            #expect(garbage.status == 400, "\(garbage.text)")
            // After a good request on the same connection, too.
            let second = try await Self.exchange(api, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGARBAGE\r\n\r\n")
            #expect(second.text.hasPrefix("HTTP/1.1 200"), "\(second.text)")
            #expect(second.text.contains("HTTP/1.1 400"), "\(second.text)")
        }
    }
}

/// A raw HTTP/1.1 response: status, headers (first of each name) and body.
struct RawReply {
    let text: String

    init(_ text: String) { self.text = text }

    var status: Int? {
        let parts = text.prefix { $0 != "\r" }.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    func header(_ name: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    var json: JSONValue {
        guard let range = text.range(of: "\r\n\r\n") else { return .null }
        return (try? JSONParser.parse(Array(text[range.upperBound...].utf8))) ?? .null
    }

    var errorFields: [String] { json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [] }
}
