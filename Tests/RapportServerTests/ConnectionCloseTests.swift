#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import RapportTestSupport
import Testing

/// A raw HTTP/1.1 exchange over a blocking socket, with send and receive timeouts so that a
/// server that stops reading fails the test instead of hanging it.
private struct RawConnection {
    let socket: Int32

    init(port: Int, timeoutSeconds: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    /// Sends all of `bytes`; false when the peer stopped taking them (timeout or reset).
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Everything the peer sends until it closes; nil when it neither answers nor closes in time.
    func readToEnd() -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { return result }
            if count < 0 {
                if errno == EINTR { continue }
                print("recv failed: errno \(errno) after \(result.count) bytes")
                return nil
            }
            result += chunk[0..<count]
        }
    }

    func close() { _ = Glibc.close(socket) }
}

/// Runs blocking socket work on a thread of its own: on the cooperative pool it would hold one of
/// the few threads the server under test needs to read what it sends.
private func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

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
