import Hummingbird
import RapportCore
import RapportStore

/// `/v1/queues` and `/v1/agents`: where conversations wait within a department, and who can take them.
struct QueuesController<Routing: RoutingStore, Organization: OrganizationStore> {
    let routing: Routing
    let organization: Organization
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "queues", query: ["department_id"], list)
        routes.on(.post, "queues", create)
        routes.on(.get, "queues/:id", show)
        routes.on(.patch, "queues/:id", update)
        routes.on(.get, "agents", listAgents)
        routes.on(.get, "agents/:id", showAgent)
        routes.on(.put, "agents/:id", updateAgent)
    }

    private var limit: Int { services.configuration.maxBodyBytes }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        var departmentID: String?
        if let department = try request.query("department_id") {
            guard let found = try await organization.department(department) else {
                throw Problem.invalid(field: "department_id", "department \(department) does not exist")
            }
            departmentID = found.id
        }
        return .page(Page(items: try await routing.queues(departmentID: departmentID), nextCursor: nil), \.json)
    }

    /// Body: `department_id` (id or key), `key`, `name`, `strategy`, `weights`, `member_ids`.
    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let (body, bytes) = try await request.jsonBody(limit: limit)
        var department: String?
        var rest = body.objectValue ?? JSONObject()
        if case .string(let text)? = rest["department_id"] { department = text }
        rest["department_id"] = nil
        let changes: QueueChanges
        do throws(ValidationFailure) {
            changes = try QueueChanges.read(.object(rest), creating: true)
            if department == nil { throw ValidationFailure(field: "department_id", message: "is required") }
        } catch {
            throw Problem.invalid(error)
        }
        let departmentRef = department!
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let queue = try await routing.insertQueue(department: departmentRef, changes: changes, actor: principal.actor, in: tx)
            return StoredResponse(status: 201, body: queue.json.serialized(), location: "/v1/queues/\(queue.id)")
        }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        guard let queue = try await routing.queue(id) else { throw StoreError.notFound("queue", id) }
        return .json(queue.json)
    }

    @Sendable func update(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.manageRouting)
        let id = try context.parameters.require("id")
        let changes = try QueueChanges.read(try await request.jsonBody(limit: limit).value, creating: false)
        let queue = try await services.writer.write { tx in try await routing.updateQueue(id: id, changes: changes, actor: principal.actor, in: tx) }
        return .json(queue.json)
    }

    @Sendable func listAgents(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        return .page(Page(items: try await routing.agentStates(), nextCursor: nil), \.json)
    }

    @Sendable func showAgent(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let id = try context.parameters.require("id")
        guard let state = try await routing.agentState(id) else {
            guard try await organization.user(id) != nil else { throw StoreError.notFound("user", id) }
            return .json(AgentState(userID: id, updatedAt: Timestamp(microseconds: 0)).json)
        }
        return .json(state.json)
    }

    /// Sets availability (`status`), `capacity` and `skills`; going offline hands conversations back.
    @Sendable func updateAgent(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeConversations)
        let id = try context.parameters.require("id")
        let changes = try AgentStateChanges.read(try await request.jsonBody(limit: limit).value)
        let state = try await services.writer.write { tx in try await routing.setAgentState(userID: id, changes: changes, actor: principal.actor, in: tx) }
        return .json(state.json)
    }
}
