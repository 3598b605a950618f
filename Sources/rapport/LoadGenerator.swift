import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keeps `connections` HTTP/1.1 keep-alive connections busy, one request in flight on each,
/// and records every response's latency.
struct LoadGenerator: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        var path: String
        var headers: [(String, String)]
        var body: [UInt8]
    }

    struct Result: Sendable {
        var latencies: [Duration]
        var errors: Int
        var statuses: [UInt: Int]
        var elapsed: Duration

        func percentile(_ fraction: Double) -> Duration {
            guard !latencies.isEmpty else { return .zero }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
        }

        var perSecond: Double {
            Double(latencies.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }

        func line(name: String) -> String {
            func ms(_ duration: Duration) -> String {
                String(format: "%.2f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
            }
            let statuses = self.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            return "\(name): \(String(format: "%.0f", perSecond)) req/s, p50 \(ms(percentile(0.5))), p99 \(ms(percentile(0.99))), "
                + "max \(ms(latencies.max() ?? .zero)), \(latencies.count) responses [\(statuses)], \(errors) errors"
        }
    }

    let port: Int
    let connections: Int

    /// Runs `warmup` seconds unrecorded, then `duration` seconds recorded.
    func measure(warmup: Double, duration: Double,
                 _ makeRequest: @escaping @Sendable (_ connection: Int, _ sequence: Int) -> Request) async throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let recordFrom = start + .milliseconds(Int64(warmup * 1000))
        let stopAt = recordFrom + .milliseconds(Int64(duration * 1000))
        let partials = try await withThrowingTaskGroup(of: Result.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    try await runConnection(connection, recordFrom: recordFrom, stopAt: stopAt, makeRequest)
                }
            }
            return try await group.reduce(into: [Result]()) { $0.append($1) }
        }
        var total = Result(latencies: [], errors: 0, statuses: [:], elapsed: stopAt - recordFrom)
        for partial in partials {
            total.latencies += partial.latencies
            total.errors += partial.errors
            total.statuses.merge(partial.statuses, uniquingKeysWith: +)
        }
        return total
    }

    private func runConnection(_ index: Int, recordFrom: ContinuousClock.Instant, stopAt: ContinuousClock.Instant,
                               _ makeRequest: @escaping @Sendable (Int, Int) -> Request) async throws -> Result {
        var result = Result(latencies: [], errors: 0, statuses: [:], elapsed: .zero)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            var sequence = 0
            let clock = ContinuousClock()
            while clock.now < stopAt {
                let request = makeRequest(index, sequence)
                sequence += 1
                var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path)
                head.headers.add(name: "Host", value: "127.0.0.1")
                for (name, value) in request.headers { head.headers.add(name: name, value: value) }
                if !request.body.isEmpty || request.method == .POST {
                    head.headers.add(name: "Content-Length", value: String(request.body.count))
                }
                let sent = clock.now
                try await outbound.write(.head(head))
                if !request.body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: request.body)))) }
                try await outbound.write(.end(nil))
                var status: UInt = 0
                while let part = try await responses.next() {
                    if case .head(let responseHead) = part { status = responseHead.status.code }
                    if case .end = part { break }
                }
                let received = clock.now
                if sent >= recordFrom, received <= stopAt {
                    result.latencies.append(received - sent)
                    result.statuses[status, default: 0] += 1
                    if status >= 400 { result.errors += 1 }
                }
            }
        }
        return result
    }
}
