import Hummingbird
import RapportCore
import RapportStore

/// `/v1/users`: the people who work with customers in Rapport.
struct UsersController<Organization: OrganizationStore> {
    let organization: Organization
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "users", listUsers)
        routes.on(.post, "users", createUser)
        routes.on(.get, "users/:id", showUser)
        routes.on(.patch, "users/:id", updateUser)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    @Sendable func listUsers(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await organization.users(), nextCursor: nil), \.json)
    }

    @Sendable func createUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try UserChanges.read(body, creating: true, normalizer: services.normalizer)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let user = try await organization.insertUser(changes, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: user.json.serialized(), location: "/v1/users/\(user.id)")
        }
    }

    @Sendable func showUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let user = try await organization.user(id) else { throw StoreError.notFound("user", id) }
        return .json(user.json)
    }

    @Sendable func updateUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let id = try context.parameters.require("id")
        let changes = try UserChanges.read(try await request.jsonBody(limit: limit).value, creating: false, normalizer: services.normalizer)
        let user = try await services.writer.write { tx in try await organization.updateUser(id: id, changes: changes, actor: principal.actor, in: tx) }
        return .json(user.json)
    }
}
