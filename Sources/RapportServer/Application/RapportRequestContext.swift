import Hummingbird
import RapportCore

/// Per-request state: the authenticated caller, set by `AuthenticationMiddleware`.
public struct RapportRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
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
        guard principal.role.allows(permission) else {
            throw Problem(status: .forbidden, type: "forbidden", title: "Forbidden",
                          detail: "role \(principal.role.rawValue) may not \(permission.rawValue)")
        }
        return principal
    }
}
