import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with WebSocket upgrade, with `HTTPRequestGuard` right after the
/// HTTP/1 parser: the upgrade pipeline has no parser error handling of its own, and refused
/// handshakes would get an empty 400 or no answer.
struct GuardedHTTP1Channel: ServerChildChannel {
    let upgrading: HTTP1WebSocketUpgradeChannel
    /// For `HTTPRequestGuard`: the problem an `Authorization` header is refused with, nil when it is accepted.
    let authenticate: @Sendable (String?) async -> Problem?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        upgrading.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let parser = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTPRequestGuard(authenticate: authenticate), position: .after(parser))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await upgrading.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the event and chat WebSockets: handshakes are decided by `EventSocketController.decide`
    /// (or, under `/chat/`, `ChatSocketController.decide`),
    /// and a refusal is answered with its problem (through the connection's `HTTPRequestGuard`).
    static func rapport<Events>(webSocket: EventSocketController<Events>, chat: ChatSocketController,
                                configuration: HTTP1WebSocketUpgradeChannel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            let upgrading = HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration) { head, channel, logger in
                let decision = ChatSocketController.handles(head.path ?? "")
                    ? await chat.decide(head, logger: logger) : await webSocket.decide(head, logger: logger)
                switch decision {
                case .success(let session):
                    return .upgrade([:], session)
                case .failure(let refusal):
                    let response = ClosingResponse(refusal.problem, instance: refusal.path)
                    let connectionGuard = try? await channel.eventLoop.submit {
                        try channel.pipeline.syncOperations.handler(type: HTTPRequestGuard.self).refusal
                    }.get()
                    connectionGuard?.set(response)
                    return .dontUpgrade
                }
            }
            return GuardedHTTP1Channel(upgrading: upgrading) { await webSocket.refusal(authorization: $0) }
        }
    }
}
