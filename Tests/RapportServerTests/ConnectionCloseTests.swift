#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import RapportTestSupport
import Testing

@Suite("HTTP: requests that close the connection")
struct ConnectionCloseTests {
    @Test("a body over the limit with Connection: close is answered 413 and the connection closes")
    func oversizedBodyIsAnsweredAndClosed() async throws {
        try await withApp { api, adminKey in
            let port = try #require(api.client.port)
            let size = 32 << 20
            let result = try await onOwnThread { () -> (sent: Bool, reply: String?) in
                let connection = try RawConnection(port: port, timeoutSeconds: 15)
                defer { connection.close() }
                let head = "POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(adminKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"
                var sent = connection.send(Array(head.utf8))
                let piece = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
                for _ in 0..<(size >> 20) where sent { sent = connection.send(piece) }
                return (sent, connection.readToEnd().map { String(decoding: $0, as: UTF8.self) })
            }
            #expect(result.sent, "the server stopped reading the body")
            let reply = try #require(result.reply, "no answer, or the connection was left open")
            #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(200))")
            #expect(reply.contains("body-too-large"))
        }
    }

    @Test("a refused request with Connection: close does not leave its body unread")
    func unauthorizedBodyIsRead() async throws {
        // A limit above the body, so the answer is the refusal itself (401), not 413.
        try await withApp(maxBodyBytes: 32 << 20) { api, _ in
            let port = try #require(api.client.port)
            let result = try await onOwnThread { () -> (sent: Bool, reply: String?) in
                let connection = try RawConnection(port: port, timeoutSeconds: 15)
                defer { connection.close() }
                let size = 16 << 20
                let head = "POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(size)\r\nConnection: close\r\n\r\n"
                let sent = connection.send(Array(head.utf8)) && connection.send([UInt8](repeating: UInt8(ascii: " "), count: size))
                return (sent, connection.readToEnd().map { String(decoding: $0, as: UTF8.self) })
            }
            #expect(result.sent, "the server stopped reading the body")
            #expect(result.reply?.hasPrefix("HTTP/1.1 401") == true, "\(result.reply?.prefix(200) ?? "no answer")")
        }
    }
}
