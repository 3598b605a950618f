import Hummingbird
import HummingbirdWebSocket
import RapportCore

/// Per-request state: the authenticated caller, set by `AuthenticationMiddleware`, and the
/// WebSocket handler a handshake installs.
public struct RapportRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    public let webSocket: WebSocketHandlerReference<RapportRequestContext>
    /// The peer's IP address (the proxy's, behind one), for throttling sign-ins.
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller, or 401 when the route was reached without authentication.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthorized("missing credentials") }
        return principal
    }

    /// The caller, or 403 when its role lacks `permission`.
    @discardableResult
    public func require(_ permission: Permission) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.role.allows(permission) else { throw Problem.forbidden(principal.role, permission) }
        return principal
    }
}
