import Hummingbird
import NIOCore
import NIOHTTP1

/// The first handler after the HTTP/1 parser, ahead of the WebSocket upgrader and the router. It
/// answers what those leave unanswered:
/// - a request the parser refuses (a control character in a header, a garbage request line) gets
///   400 and the connection is closed (RFC 9112), instead of no answer at all;
/// - a WebSocket handshake RFC 6455 refuses gets 400 or 426 (`WebSocketHandshake`), or 401
///   when it also lacks valid credentials (credentials come first, as on every /v1 route);
/// - a handshake the upgrade decision refused gets that decision's problem (401, 403, 404…) in
///   place of the empty 400 Hummingbird sends for every refused upgrade.
/// - a request whose `Upgrade` names anything but a WebSocket handshake has that header removed
///   (a server may ignore an upgrade it does not offer, RFC 9110 7.8) and is answered with
///   `Connection: close`: NIO's upgrader would drop the request, and the parser reads nothing after it.
/// It removes itself when the connection switches to WebSocket.
final class HTTPRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Set by the upgrade decision when it refuses this connection's handshake.
    let refusal = UpgradeRefusal()
    /// The problem an `Authorization` header (or its absence) is refused with; nil when it names a caller.
    private let authenticate: @Sendable (String?) async -> Problem?
    /// Requests passed on whose responses have not ended.
    private var unanswered = 0
    /// A response head went out and its end has not.
    private var responding = false
    /// The parser failed behind requests still being answered: answer 400 after them.
    private var failAfterUnanswered = false
    /// This handler answered and is closing the connection: nothing more is read.
    private var closing = false
    /// The response going out is being replaced by `refusal`.
    private var replacing = false
    /// A 101 went out: the connection becomes a WebSocket once it is flushed.
    private var switching = false

    init(authenticate: @escaping @Sendable (String?) async -> Problem?) {
        self.authenticate = authenticate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        if case .head(var head) = unwrapInboundIn(data) {
            let attempt = WebSocketHandshake.isAttempt(head)
            if attempt, let problem = WebSocketHandshake.refusal(of: head) {
                refuseHandshake(context, problem, authorization: head.headers["Authorization"].first,
                                instance: String(head.uri.prefix { $0 != "?" }))
                return
            }
            unanswered += 1
            if !attempt, head.headers.contains(name: "Upgrade") {
                head.headers.remove(name: "Upgrade")
                // The parser stops reading after a request it took for an upgrade: no request can
                // follow on this connection, so the answer closes it.
                head.headers.replaceOrAdd(name: "Connection", value: "close")
                context.fireChannelRead(wrapInboundOut(.head(head)))
                return
            }
        }
        context.fireChannelRead(data)
    }

    /// Answers a malformed handshake with `problem`, or 401 when its credentials are refused too;
    /// nothing more is read meanwhile.
    private func refuseHandshake(_ context: ChannelHandlerContext, _ problem: Problem, authorization: String?, instance: String) {
        closing = true
        let authenticate = self.authenticate
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask { await authenticate(authorization) }.whenSuccess { unauthorized in
            bound.value.handler.answerAndClose(bound.value.context, ClosingResponse(unauthorized ?? problem, instance: instance))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After an answered error, the parser only reports that it is in its error state.
        guard !closing, !failAfterUnanswered else { return }
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The parser stops at its first error, so the connection cannot go on. The error is the
        // client's: it is answered here and goes no further, after the requests before it.
        if unanswered > 0 {
            failAfterUnanswered = true
        } else {
            answerAndClose(context, Self.malformed(error))
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            switching = true
            context.write(data, promise: promise)
        case .head(let head) where head.status == .badRequest && !responding:
            responding = true
            guard let response = refusal.take() else { return context.write(data, promise: promise) }
            replacing = true
            context.write(wrapOutboundOut(.head(response.head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: promise)
        case .head(let head):
            if head.status.code >= 200 { responding = true }
            context.write(data, promise: promise)
        case .body:
            guard !replacing else {
                promise?.succeed(())
                return
            }
            context.write(data, promise: promise)
        case .end:
            responding = false
            replacing = false
            unanswered = max(0, unanswered - 1)
            context.write(data, promise: promise)
            if failAfterUnanswered, unanswered == 0, !closing {
                answerAndClose(context, Self.malformed(nil))
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        // WebSocket frames follow the 101, which are not this handler's to see. (Leaving in
        // `write` would drop the flush that comes with the 101.)
        if switching { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    private static func malformed(_ error: (any Error)?) -> ClosingResponse {
        let reason = error.map { " (\($0))" } ?? ""
        let problem = Problem(status: .badRequest, type: "bad-request", title: "Bad request",
                              detail: "the request is not valid HTTP/1.1\(reason); the connection is closed")
        return ClosingResponse(problem, instance: "/")
    }

    private func answerAndClose(_ context: ChannelHandlerContext, _ response: ClosingResponse) {
        closing = true
        context.write(wrapOutboundOut(.head(response.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            // Input closed is how the WebSocket upgrader (while it is still here) learns that no
            // request is coming: it closes quietly instead of reporting an unfinished upgrade.
            bound.value.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            bound.value.close(promise: nil)
        }
    }
}
