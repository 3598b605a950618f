#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// A raw HTTP/1.1 exchange over a blocking socket, with send and receive timeouts so that a
/// server that stops reading fails the test instead of hanging it.
struct RawConnection {
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
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

extension RawConnection {
    /// Connects to the server under test on loopback, sends `request` as it is and reads until the
    /// server closes; nil when it neither answers nor closes within `timeoutSeconds`. Blocking, so
    /// run it through `onOwnThread`.
    static func exchange(port: Int, _ request: String, timeoutSeconds: Int = 10) throws -> String? {
        let connection = try RawConnection(port: port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        guard connection.send(Array(request.utf8)) else { return nil }
        return connection.readToEnd().map { String(decoding: $0, as: UTF8.self) }
    }
}
