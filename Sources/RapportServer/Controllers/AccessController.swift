import Hummingbird
import RapportCore
import RapportStore

/// `/v1/api-keys`: credentials, shown once, stored hashed.
struct AccessController<Access: AccessStore> {
    let access: Access
    let services: Services
    /// Cached principals, forgotten when a key is revoked.
    let keys: APIKeyCache

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "api-keys", list)
        routes.on(.post, "api-keys", create)
        routes.on(.delete, "api-keys/:id", revoke)
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.manageAccess)
        return .page(Page(items: try await access.apiKeys(), nextCursor: nil), \.json)
    }

    /// The response is the only place the secret ever appears.
    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let keyRequest = try APIKeyRequest.read(body)
        // Not idempotent on purpose: a replay would have to store the secret.
        let issued = try await services.writer.write { tx in try await access.issueAPIKey(keyRequest, actor: principal.actor, in: tx) }
        guard case .object(var object) = issued.key.json else { return .json(issued.key.json, status: .created) }
        object["secret"] = .string(issued.secret)
        return .json(.object(object), status: .created, headers: [.location: "/v1/api-keys/\(issued.key.id)"])
    }

    @Sendable func revoke(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let id = try context.parameters.require("id")
        let key = try await services.writer.write { tx in try await access.revokeAPIKey(id: id, actor: principal.actor, in: tx) }
        keys.forget(keyID: key.id)
        return .json(key.json)
    }
}
