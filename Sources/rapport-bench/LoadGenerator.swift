import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keeps `connections` HTTP/1.1 keep-alive connections busy, one request in flight on each, and
/// records every response's latency. Callback-driven on NIO's event loops, so the client costs
/// little CPU next to the server it measures on the same machine.
struct LoadGenerator: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        var path: String
        var headers: [(String, String)]
        var body: [UInt8]
    }

    struct Result: Sendable {
        var latencies: [UInt64] = []
        var statuses: [UInt: Int] = [:]
        var elapsedNanoseconds: UInt64 = 0

        var perSecond: Double { Double(latencies.count) / (Double(elapsedNanoseconds) / 1e9) }

        func line(name: String) -> String {
            let statuses = self.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            return "\(name): \(String(format: "%.0f", perSecond)) req/s, \(LatencySample(nanoseconds: latencies).text()), "
                + "\(latencies.count) responses [\(statuses)]"
        }
    }

    let port: Int
    let connections: Int
    let group: any EventLoopGroup

    /// Runs `warmup` seconds unrecorded, then `duration` seconds recorded.
    func measure(warmup: Double, duration: Double,
                 _ makeRequest: @escaping @Sendable (_ connection: Int, _ sequence: Int) -> Request) async throws -> Result {
        let start = NIODeadline.now().uptimeNanoseconds
        let recordFrom = start + UInt64(warmup * 1e9)
        let stopAt = recordFrom + UInt64(duration * 1e9)
        var futures: [EventLoopFuture<Result>] = []
        for connection in 0..<connections {
            let loop = group.next()
            let promise = loop.makePromise(of: Result.self)
            let handler = LoadConnectionHandler(index: connection, recordFrom: recordFrom, stopAt: stopAt,
                                                makeRequest: makeRequest, done: promise)
            let connect = ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: "127.0.0.1", port: port)
            connect.whenFailure { promise.fail($0) }
            futures.append(promise.futureResult)
        }
        var total = Result(elapsedNanoseconds: stopAt - recordFrom)
        for future in futures {
            let partial = try await future.get()
            total.latencies += partial.latencies
            total.statuses.merge(partial.statuses, uniquingKeysWith: +)
        }
        return total
    }
}

/// One connection of the load: sends the next request as soon as the previous response ended.
private final class LoadConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // Used only on its channel's event loop.
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let index: Int
    private let recordFrom: UInt64
    private let stopAt: UInt64
    private let makeRequest: @Sendable (Int, Int) -> LoadGenerator.Request
    private let done: EventLoopPromise<LoadGenerator.Result>
    private var result = LoadGenerator.Result()
    private var sequence = 0
    private var sentAt: UInt64 = 0
    private var status: UInt = 0

    init(index: Int, recordFrom: UInt64, stopAt: UInt64, makeRequest: @escaping @Sendable (Int, Int) -> LoadGenerator.Request,
         done: EventLoopPromise<LoadGenerator.Result>) {
        self.index = index
        self.recordFrom = recordFrom
        self.stopAt = stopAt
        self.makeRequest = makeRequest
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status.code
        case .body:
            break
        case .end:
            let now = NIODeadline.now().uptimeNanoseconds
            if sentAt >= recordFrom, now <= stopAt {
                result.latencies.append(now - sentAt)
                result.statuses[status, default: 0] += 1
            }
            if now < stopAt {
                send(context: context)
            } else {
                done.succeed(result)
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(result)
    }

    private func send(context: ChannelHandlerContext) {
        let request = makeRequest(index, sequence)
        sequence += 1
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        if request.method == .POST { head.headers.add(name: "Content-Length", value: String(request.body.count)) }
        sentAt = NIODeadline.now().uptimeNanoseconds
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !request.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: request.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
