import HTTPTypes
import Hummingbird
import RapportCore
import RapportStore

/// `/v1/tasks`: work people give each other (or rules give them) — for a user, a queue or a
/// department, about a customer or conversation, with due times, reminders, checklists and
/// repetition; listed as mine, my department's, overdue.
struct TasksController<Tasks: TaskStore> {
    let tasks: Tasks
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.post, "tasks", create)
        routes.on(.get, "tasks", query: ["view", "status", "overdue", "customer_id", "conversation_id", "limit", "cursor"], list)
        routes.on(.get, "tasks/:id", show)
        routes.on(.patch, "tasks/:id", change)
    }

    @Sendable func create(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let (body, bytes) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let draft = try TaskDraft.read(body)
        let tasks = self.tasks
        return try await services.idempotentWrite(request, context: context, body: bytes) { tx in
            let task = try await tasks.createTask(draft, source: "person", by: principal.actor, in: tx)
            return StoredResponse(status: 201, body: task.json(at: tx.now()).serialized(), etag: task.etag, location: "/v1/tasks/\(task.id)")
        }
    }

    @Sendable func list(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.readInteractions)
        let view: TaskQuery.View
        switch try request.query("view") {
        case nil: view = principal.userID == nil ? .all : .mine
        case let text?:
            guard let chosen = TaskQuery.View(rawValue: text) else { throw Problem.badRequest(field: "view", "must be mine, department or all") }
            view = chosen
        }
        if view == .mine, principal.userID == nil {
            throw Problem.notAUser("an API key has no tasks of its own: ask for view=all or view=department")
        }
        if view == .department, principal.departmentID == nil {
            throw Problem(status: .conflict, type: "no-department", title: "No department", detail: "the caller belongs to no department")
        }
        var status: TaskStatus? = .open
        switch try request.query("status") {
        case nil: break
        case "any": status = nil
        case let text?:
            guard let chosen = TaskStatus(rawValue: text) else { throw Problem.badRequest(field: "status", "must be open, done, cancelled or any") }
            status = chosen
        }
        let overdue: Bool
        switch try request.query("overdue") {
        case nil, "false": overdue = false
        case "true": overdue = true
        default: throw Problem.badRequest(field: "overdue", "must be true or false")
        }
        let now = tasks.now()
        let query = TaskQuery(view: view, userID: principal.userID, departmentID: principal.departmentID, status: status,
                              overdueAt: overdue ? now : nil, customerID: try request.query("customer_id"),
                              conversationID: try request.query("conversation_id"))
        let page = try await tasks.tasks(query, limit: try request.limit(max: 200), cursor: try request.query("cursor"))
        return .page(page) { $0.json(at: now) }
    }

    @Sendable func show(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let task = try await tasks.task(id) else { throw StoreError.notFound("task", id) }
        return .json(task.json(at: tasks.now()), headers: [.eTag: task.etag])
    }

    @Sendable func change(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        guard try await tasks.task(id) != nil else { throw StoreError.notFound("task", id) }
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.jsonBody(limit: services.configuration.maxBodyBytes)
        let changes = try TaskChanges.read(body)
        let tasks = self.tasks
        let (task, now) = try await services.writer.write { tx in
            (try await tasks.changeTask(id, changes, expectedVersion: expected, by: principal.actor, in: tx), tx.now())
        }
        return .json(task.json(at: now), headers: [.eTag: task.etag])
    }
}
