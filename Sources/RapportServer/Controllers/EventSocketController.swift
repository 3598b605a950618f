import Hummingbird
import HummingbirdWebSocket
import RapportStore

/// `GET /v1/events/ws`: the live event stream over a WebSocket (protocol in `EventSocketSession`
/// and README), for clients that want several filtered subscriptions on one connection.
struct EventSocketController<Events: EventStore> {
    let events: Events
    let keys: APIKeyCache

    /// The plain HTTP side of the route: a request that reaches it was not upgraded, because it
    /// lacked credentials (401 from the authentication middleware), the role may not read events
    /// (403), or it was not a WebSocket handshake (426).
    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "events/ws", notUpgraded)
    }

    /// The upgrade itself, on the router that answers WebSocket handshakes.
    func register(webSocket router: Router<RapportRequestContext>) {
        let events = self.events
        router.group("v1")
            .add(middleware: AuthenticationMiddleware(keys: keys))
            .ws("events/ws") { _, context in
                try context.require(.readEvents)
                return .upgrade([:])
            } onUpgrade: { inbound, outbound, context in
                let principal = try context.requestContext.requirePrincipal()
                let session = EventSocketSession(events: events, role: principal.role, requestID: context.requestContext.id,
                                                 outbound: outbound, logger: context.logger)
                try await session.run(inbound: inbound)
            }
    }

    @Sendable func notUpgraded(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readEvents)
        throw Problem(status: .init(code: 426, reasonPhrase: "Upgrade Required"), type: "upgrade-required", title: "Upgrade required",
                      detail: "open this route as a WebSocket (Connection: Upgrade, Upgrade: websocket)",
                      headers: [.upgrade: "websocket"])
    }
}
