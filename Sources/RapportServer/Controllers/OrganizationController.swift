import Hummingbird
import RapportCore
import RapportStore

/// `/v1/departments`, `/v1/channels` and `/v1/users`: how the company is organized.
struct OrganizationController {
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "departments", listDepartments)
        routes.on(.post, "departments", createDepartment)
        routes.on(.get, "departments/:id", showDepartment)
        routes.on(.patch, "departments/:id", updateDepartment)
        routes.on(.delete, "departments/:id", deleteDepartment)
        routes.on(.get, "channels", listChannels)
        routes.on(.post, "channels", createChannel)
        routes.on(.get, "channels/:id", showChannel)
        routes.on(.patch, "channels/:id", updateChannel)
        routes.on(.delete, "channels/:id", deleteChannel)
        routes.on(.get, "users", listUsers)
        routes.on(.post, "users", createUser)
        routes.on(.get, "users/:id", showUser)
        routes.on(.patch, "users/:id", updateUser)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    // MARK: Departments

    @Sendable func listDepartments(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await services.store.departments(), nextCursor: nil), \.json)
    }

    @Sendable func createDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try DepartmentChanges.read(body, creating: true)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let department = try await tx.insertDepartment(key: changes.key!, name: changes.name!,
                                                           description: changes.description.applied(to: nil), actor: principal.actor)
            return StoredResponse(status: 201, body: department.json.serialized(), location: "/v1/departments/\(department.id)")
        }
    }

    @Sendable func showDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let department = try await services.store.department(id) else { throw StoreError.notFound("department", id) }
        return .json(department.json)
    }

    @Sendable func updateDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let changes = try DepartmentChanges.read(try await request.jsonBody(limit: limit).value, creating: false)
        let department = try await services.store.write { tx in
            try await tx.updateDepartment(id: id, changes: changes, actor: principal.actor)
        }
        return .json(department.json)
    }

    @Sendable func deleteDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        try await services.store.write { tx in try await tx.deleteDepartment(id: id, actor: principal.actor) }
        return Response(status: .noContent)
    }

    // MARK: Channels

    @Sendable func listChannels(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await services.store.channels(), nextCursor: nil), \.json)
    }

    @Sendable func createChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try ChannelChanges.read(body, creating: true)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let channel = try await tx.insertChannel(kind: changes.kind!, name: changes.name!, settings: changes.settings ?? JSONObject(),
                                                     actor: principal.actor)
            return StoredResponse(status: 201, body: channel.json.serialized(), location: "/v1/channels/\(channel.id)")
        }
    }

    @Sendable func showChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let channel = try await services.store.channel(id) else { throw StoreError.notFound("channel", id) }
        return .json(channel.json)
    }

    @Sendable func updateChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let changes = try ChannelChanges.read(try await request.jsonBody(limit: limit).value, creating: false)
        let channel = try await services.store.write { tx in
            try await tx.updateChannel(id: id, changes: changes, actor: principal.actor)
        }
        return .json(channel.json)
    }

    @Sendable func deleteChannel(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        try await services.store.write { tx in try await tx.deleteChannel(id: id, actor: principal.actor) }
        return Response(status: .noContent)
    }

    // MARK: Users

    @Sendable func listUsers(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await services.store.users(), nextCursor: nil), \.json)
    }

    @Sendable func createUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try UserChanges.read(body, creating: true, normalizer: services.normalizer)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let user = try await tx.insertUser(changes, actor: principal.actor)
            return StoredResponse(status: 201, body: user.json.serialized(), location: "/v1/users/\(user.id)")
        }
    }

    @Sendable func showUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let user = try await services.store.user(id) else { throw StoreError.notFound("user", id) }
        return .json(user.json)
    }

    @Sendable func updateUser(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageAccess)
        let id = try context.parameters.require("id")
        let changes = try UserChanges.read(try await request.jsonBody(limit: limit).value, creating: false, normalizer: services.normalizer)
        let user = try await services.store.write { tx in try await tx.updateUser(id: id, changes: changes, actor: principal.actor) }
        return .json(user.json)
    }
}
