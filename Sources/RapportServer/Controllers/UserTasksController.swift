import HTTPTypes
import Hummingbird
import RapportCore
import RapportFlow
import RapportStore

/// `/v1/tasks/{id}/form` and `/v1/tasks/{id}/complete`: the Rapport tasks a process's user tasks
/// open — the form the person fills in, and completing the task with its values, which the
/// process goes on with.
struct UserTasksController<Processes: ProcessStore> {
    let processes: Processes
    let services: Services

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "tasks/:id/form", showForm)
        routes.on(.post, "tasks/:id/complete", complete)
    }

    @Sendable func showForm(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let id = try context.parameters.require("id")
        guard let form = try await processes.userTaskForm(id) else {
            throw Problem(status: .notFound, type: "not-found", title: "Not found", detail: "no process waits for task \(id): it has no form")
        }
        return .json(Self.json(form))
    }

    /// `{"variables": {…}}`, the form's values: refused naming every wrong field
    /// (`variables.amount`), else the task is done and the process goes on with them.
    @Sendable func complete(_ request: Request, context: RapportRequestContext) async throws -> Response {
        let principal = try context.require(.writeInteractions)
        let id = try context.parameters.require("id")
        let expected = try request.expectedVersion(of: id)
        let (body, _) = try await request.optionalJSONBody(limit: services.configuration.maxBodyBytes)
        var values: [String: JSONValue] = [:]
        if let body {
            var reader = try InputReader(body)
            switch reader.object("variables", maxKeys: 500) {
            case .set(let object): values = object.dictionary
            case .clear: reader.fail("variables", "expected an object, got null")
            case .unchanged: break
            }
            try reader.finish()
        }
        guard let shown = try await processes.userTaskForm(id) else {
            throw Problem(status: .conflict, type: "conflict", title: "Conflict",
                          detail: "no process waits for task \(id): it is not a process's user task, or it is done")
        }
        // Every wrong field at once; the store checks again in its transaction.
        if let form = shown.form, case .failure(let refusal) = form.check(values) {
            throw Problem.invalid(ValidationFailure(refusal.problems.map { FieldIssue(field: "variables.\($0.field)", message: $0.message) }))
        }
        let variables = values
        let processes = self.processes
        let (task, now) = try await services.writer.write { tx in
            (try await processes.completeUserTask(id, variables: variables, expectedVersion: expected, by: principal.actor, in: tx), tx.now())
        }
        return .json(task.json(at: now), headers: [.eTag: task.etag])
    }

    static func json(_ shown: UserTaskForm) -> JSONValue {
        var object: JSONObject = [
            "task_id": .string(shown.taskID),
            "instance_id": .string(shown.instance.id),
            "process": ["key": .string(shown.process.key), "name": shown.process.process.name.map(JSONValue.string) ?? .null,
                        "version": .integer(shown.process.version)],
            "node": ["id": .string(shown.node.id), "name": shown.node.name.map(JSONValue.string) ?? .null],
            "values": .object(JSONObject(sortingKeysOf: shown.values)),
        ]
        object["fields"] = .array((shown.form?.fields ?? []).map(fieldJSON))
        return .object(object)
    }

    private static func fieldJSON(_ field: FormField) -> JSONValue {
        var object: JSONObject = ["key": .string(field.key), "label": .string(field.label), "type": .string(field.kind.rawValue),
                                  "required": .bool(field.required)]
        if !field.options.isEmpty {
            object["options"] = .array(field.options.map { ["value": .string($0.value), "label": .string($0.label)] })
        }
        if let minimum = field.minimum { object["min"] = number(minimum) }
        if let maximum = field.maximum { object["max"] = number(maximum) }
        if let minLength = field.minLength { object["min_length"] = .integer(Int64(minLength)) }
        if let maxLength = field.maxLength { object["max_length"] = .integer(Int64(maxLength)) }
        if let pattern = field.pattern { object["pattern"] = .string(pattern) }
        return .object(object)
    }

    private static func number(_ value: Double) -> JSONValue {
        Int64(exactly: value).map(JSONValue.integer) ?? .double(value)
    }
}
