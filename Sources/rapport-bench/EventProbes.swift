import AsyncHTTPClient
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import RapportCore
import Synchronization

/// The wall-clock time of the first receipt of each event, as a client of the event stream or of
/// webhooks saw it, in microseconds since 1970 (the clock of the events' `time`).
final class ReceiptLog<Key: Hashable & Sendable>: Sendable {
    private let receipts = Mutex<[Key: Int64]>([:])

    /// Notes `key` as received at `time` unless it was received before (webhooks are at least once).
    func note(_ key: Key, at time: Int64) {
        receipts.withLock { receipts in
            if receipts[key] == nil { receipts[key] = time }
        }
    }

    func received(_ key: Key) -> Int64? {
        receipts.withLock { $0[key] }
    }

    /// How many of `keys` were received.
    func count(of keys: [Key]) -> Int {
        receipts.withLock { receipts in keys.reduce(0) { $0 + (receipts[$1] == nil ? 0 : 1) } }
    }
}

/// The port a server reports once it listens.
final class PortSlot: Sendable {
    private let port = Mutex<Int?>(nil)

    func set(_ value: Int) { port.withLock { $0 = value } }

    /// Waits until the port is known (sixty seconds at most).
    func wait() async throws -> Int {
        for _ in 0..<600 {
            if let value = port.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }
}

/// A webhook receiver: answers 204 to every POST on `/hook` and notes when each `webhook-id`
/// (the CloudEvent id) first arrived, once the body is read.
func webhookReceiver(log: ReceiptLog<String>, port: PortSlot, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    let webhookID = HTTPField.Name("webhook-id")!
    router.post("hook") { request, _ -> HTTPResponse.Status in
        _ = try await request.body.collect(upTo: 1 << 20)
        let now = Timestamp.now().microseconds
        guard let id = request.headers[webhookID] else { return .badRequest }
        log.note(id, at: now)
        return .noContent
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "bench-receiver"),
                       onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
}

/// Reads `GET /v1/events/stream` and notes, for each message, the time its bytes arrived under its
/// `id:` (the log sequence). Only the head of each line is looked at, so the client spends little
/// of the shared CPU; returns when the stream ends or the task is cancelled.
func followEventStream(url: String, secret: String, log: ReceiptLog<Int64>, connected: PortSlot) async throws {
    var request = HTTPClientRequest(url: url)
    request.headers.add(name: "authorization", value: "Bearer \(secret)")
    request.headers.add(name: "accept", value: "text/event-stream")
    let response = try await HTTPClient.shared.execute(request, timeout: .hours(24))
    guard response.status == .ok else { throw BenchFailure("event stream answered \(response.status.code)") }
    connected.set(1)
    var head: [UInt8] = []
    head.reserveCapacity(32)
    let prefix = Array("id: ".utf8)
    for try await buffer in response.body {
        let now = Timestamp.now().microseconds
        for byte in buffer.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                if head.count > prefix.count, head.starts(with: prefix),
                   let sequence = Int64(String(decoding: head[prefix.count...], as: UTF8.self)) {
                    log.note(sequence, at: now)
                }
                head.removeAll(keepingCapacity: true)
            } else if head.count < 32 {
                head.append(byte)
            }
        }
    }
}

/// A benchmark that cannot go on, with what went wrong.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
