import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import RapportStore

/// `GET /v1/events/ws`: the live event stream over a WebSocket (protocol in `EventSocketSession`
/// and README), for clients that want several filtered subscriptions on one connection.
///
/// A caller names itself with `Authorization: Bearer` and an API key or a signed-in user's session
/// token (a user's socket then carries what that user may read: their department's private notes,
/// their own notifications). The session cookie does not open a socket: a handshake is a GET any
/// site can make the browser send with the cookie.
struct EventSocketController<Events: EventStore> {
    let events: Events
    let keys: APIKeyCache
    let sessions: SessionCache
    let openSockets: OpenEventSockets

    /// The plain HTTP side of the route, for requests that are no WebSocket handshake (no
    /// `Upgrade: websocket`): 401 without credentials, 403 for a role that may not read events,
    /// 400 when other handshake headers show a handshake missing its Upgrade, else 426.
    /// Handshakes are decided by `decide` and checked by `HTTPRequestGuard`.
    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "events/ws", notUpgraded)
    }

    /// Decides a handshake whose headers `WebSocketHandshake` found well-formed: the path, the
    /// query, the key and its role, as the router checks them for every other route. The session
    /// to run on the upgraded connection, or the problem to answer with (401 without a valid key).
    func decide(_ head: HTTPRequest, logger: Logger) async -> Result<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>, HandshakeRefusal> {
        let request = Request(head: head, body: .init(buffer: ByteBuffer()))
        do {
            guard request.uri.path == "/v1/events/ws" else {
                throw Problem(status: .notFound, type: "not-found", title: "Not found", detail: "no WebSocket at \(request.uri.path)")
            }
            guard request.method == .get else {
                throw Problem(status: .methodNotAllowed, type: "method-not-allowed", title: "Method not allowed",
                              detail: "a WebSocket handshake is a GET", headers: [.allow: "GET"])
            }
            let principal = try await AuthenticationMiddleware.principal(authorization: request.headers[.authorization], keys: keys,
                                                                         sessions: sessions)
            try RouteCatalog.Entry(method: "get", path: "/v1/events/ws").refuseUnknownQueryParameters(of: request)
            guard principal.role.allows(.readEvents) else { throw Problem.forbidden(principal.role, .readEvents) }
            let events = self.events
            let openSockets = self.openSockets
            let requestID = logger[metadataKey: "hb.request.id"]?.description ?? RequestID().description
            return .success { inbound, outbound, context in
                let session = EventSocketSession(events: events, reader: principal.eventReader, requestID: requestID,
                                                 outbound: outbound, openSockets: openSockets, logger: context.logger)
                try await session.run(inbound: inbound)
            }
        } catch {
            return .failure(HandshakeRefusal(problem: Self.problem(error, logger: logger), path: request.uri.path))
        }
    }

    /// The problem a handshake's `Authorization` header is refused with (401, or 503 when keys
    /// cannot be read); nil when it names a caller. Malformed handshakes are answered 401 by this
    /// before their headers are judged.
    func refusal(authorization: String?) async -> Problem? {
        do {
            _ = try await AuthenticationMiddleware.principal(authorization: authorization, keys: keys, sessions: sessions)
            return nil
        } catch {
            return Self.problem(error, logger: Logger(label: "rapport.events.ws"))
        }
    }

    private static func problem(_ error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let storeError as StoreError:
            logger.error("WebSocket handshake failed", metadata: ["error": "\(storeError)"])
            return .from(storeError)
        default:
            logger.error("WebSocket handshake failed", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(status: .internalServerError, type: "internal", title: "Internal server error",
                           detail: "the error was logged with this request id")
        }
    }

    @Sendable func notUpgraded(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readEvents)
        if WebSocketHandshake.isIncomplete(request.headers) {
            throw Problem.badRequest(field: "Upgrade", "must be websocket for a WebSocket handshake (RFC 6455 4.2.1)")
        }
        throw Problem(status: .init(code: 426, reasonPhrase: "Upgrade Required"), type: "upgrade-required", title: "Upgrade required",
                      detail: "open this route as a WebSocket (Connection: Upgrade, Upgrade: websocket)",
                      headers: [.upgrade: "websocket"])
    }
}

/// A WebSocket handshake refused after its headers were checked, with the path it asked for.
struct HandshakeRefusal: Error {
    var problem: Problem
    var path: String
}
