import Hummingbird
import RapportCore
import RapportStore

/// `/v1/departments`: the parts of the company that serve customers.
struct DepartmentsController<Organization: OrganizationStore> {
    let organization: Organization
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "departments", listDepartments)
        routes.on(.post, "departments", createDepartment)
        routes.on(.get, "departments/:id", showDepartment)
        routes.on(.patch, "departments/:id", updateDepartment)
        routes.on(.delete, "departments/:id", deleteDepartment)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    @Sendable func listDepartments(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        return .page(Page(items: try await organization.departments(), nextCursor: nil), \.json)
    }

    @Sendable func createDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        let changes = try DepartmentChanges.read(body, creating: true)
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let department = try await organization.insertDepartment(key: changes.key!, name: changes.name!,
                                                           description: changes.description.applied(to: nil), actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: department.json.serialized(), location: "/v1/departments/\(department.id)")
        }
    }

    @Sendable func showDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readOrganization)
        let id = try context.parameters.require("id")
        guard let department = try await organization.department(id) else { throw StoreError.notFound("department", id) }
        return .json(department.json)
    }

    @Sendable func updateDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        let changes = try DepartmentChanges.read(try await request.jsonBody(limit: limit).value, creating: false)
        let department = try await services.writer.write { tx in
            try await organization.updateDepartment(id: id, changes: changes, actor: principal.actor, in: tx)
        }
        return .json(department.json)
    }

    @Sendable func deleteDepartment(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeOrganization)
        let id = try context.parameters.require("id")
        try await services.writer.write { tx in try await organization.deleteDepartment(id: id, actor: principal.actor, in: tx) }
        return Response(status: .noContent)
    }
}
