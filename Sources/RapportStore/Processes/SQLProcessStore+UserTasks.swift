import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    /// Opens the Rapport task a user task waits for: given to its assignee (a user id), else its
    /// first candidate group (a department's id or key, or `queue:<id>`), due after `dueAfter`,
    /// about the instance's customer. Nil when it opened; otherwise why not (the token's incident).
    func openUserTask(_ definition: UserTaskDefinition, name: String?, node: String, token: Int,
                      of instance: ProcessInstanceRecord, in tx: WriteTransaction) async throws -> String? {
        guard let assignee = Self.assignee(of: definition) else {
            return "the user task \(node) names no assignee or candidate group to give it to"
        }
        let now = tx.now()
        let draft = TaskDraft(title: name ?? node, description: "Process \(instance.key), instance \(instance.id)", assignee: assignee,
                              customerID: instance.customerID, dueAt: definition.dueAfter?.added(to: now))
        let task: TaskItem
        do {
            task = try await store.tasks.createTask(draft, source: "process:\(instance.id)", by: .system, in: tx)
        } catch let error as StoreError where error.code == .invalidReference || error.code == .notFound {
            return "the user task \(node) cannot be given to \(assignee.kind.rawValue) \(assignee.id): \(error.message)"
        }
        try await tx.execute("""
            INSERT INTO process_user_tasks (instance_id, token, task_id) VALUES (\(bind: instance.id), \(bind: Int64(token)), \(bind: task.id))
            """)
        return nil
    }

    /// Who a user task goes to.
    static func assignee(of definition: UserTaskDefinition) -> TaskAssignee? {
        if let user = definition.assignee { return TaskAssignee(kind: .user, id: user) }
        guard let group = definition.candidateGroups.first else { return nil }
        if group.hasPrefix("queue:") { return TaskAssignee(kind: .queue, id: String(group.dropFirst(6))) }
        return TaskAssignee(kind: .department, id: group)
    }

    /// Cancels the task a withdrawn token waited for (the link goes first, so the cancellation is
    /// not taken for a person's).
    func withdrawUserTask(instanceID: String, token: Int, in tx: WriteTransaction) async throws {
        guard let taskID = try await tx.firstRow("""
            SELECT task_id FROM process_user_tasks WHERE instance_id = \(bind: instanceID) AND token = \(bind: Int64(token))
            """).map({ try $0.string("task_id") }) else { return }
        try await tx.execute("DELETE FROM process_user_tasks WHERE task_id = \(bind: taskID)")
        var changes = TaskChanges()
        changes.status = .cancelled
        _ = try await store.tasks.changeTask(taskID, changes, expectedVersion: nil, by: .system, in: tx)
    }

    public func userTaskEnded(_ taskID: String, done: Bool, by actor: Actor, in tx: WriteTransaction) async throws {
        guard let link = try await tx.firstRow("SELECT instance_id, token FROM process_user_tasks WHERE task_id = \(bind: taskID)") else { return }
        let instanceID = try link.string("instance_id")
        let token = Int(try link.int64("token"))
        if done, let form = try await formOf(instanceID: instanceID, token: token, in: tx), case .failure(let refusal) = form.check([:]) {
            let needed = refusal.problems.map(\.field).joined(separator: ", ")
            throw StoreError(.invalidReference, "the task's form needs \(needed): complete it with its values (POST /v1/tasks/\(taskID)/complete)",
                             field: "status")
        }
        try await tx.execute("DELETE FROM process_user_tasks WHERE task_id = \(bind: taskID)")
        let input: FlowInput = done ? .complete(token: token, variables: [:]) : .fail(token: token, message: "the task was cancelled")
        _ = try await advance(instanceID, with: input, by: actor, in: tx)
    }

    public func userTaskForm(_ taskID: String) async throws -> UserTaskForm? {
        guard let link = try await read({ try await $0.raw("SELECT instance_id, token FROM process_user_tasks WHERE task_id = \(bind: taskID)").first() }),
              let (instance, deployed) = try await instance(try link.string("instance_id")) else { return nil }
        let token = Int(try link.int64("token"))
        guard let waiting = instance.state.token(token), case .userTask(let task) = deployed.process.nodes[waiting.node].kind else { return nil }
        let values = task.form?.initialValues(instance.state.variables(for: token)) ?? [:]
        return UserTaskForm(taskID: taskID, instance: instance, process: deployed, node: deployed.process.nodes[waiting.node], token: token,
                            form: task.form, values: values)
    }

    public func completeUserTask(_ taskID: String, variables: [String: JSONValue], expectedVersion: Int64?, by actor: Actor,
                                 in tx: WriteTransaction) async throws -> TaskItem {
        guard let link = try await tx.firstRow("SELECT instance_id, token FROM process_user_tasks WHERE task_id = \(bind: taskID)") else {
            throw StoreError(.conflict, "no process waits for task \(taskID): it is not a process's user task, or it is done", field: "id")
        }
        let instanceID = try link.string("instance_id")
        let token = Int(try link.int64("token"))
        var accepted = variables
        if let form = try await formOf(instanceID: instanceID, token: token, in: tx) {
            switch form.check(variables) {
            case .success(let checked): accepted = checked
            case .failure(let refusal):
                let first = refusal.problems[0]
                throw StoreError(.invalidReference, first.message, field: "variables.\(first.field)")
            }
        }
        // The link goes first: the task's completion below is this one, not a plain "done".
        try await tx.execute("DELETE FROM process_user_tasks WHERE task_id = \(bind: taskID)")
        var changes = TaskChanges()
        changes.status = .done
        let task = try await store.tasks.changeTask(taskID, changes, expectedVersion: expectedVersion, by: actor, in: tx)
        _ = try await advance(instanceID, with: .complete(token: token, variables: accepted), by: actor, in: tx)
        return task
    }

    /// The form of the user task the token waits at, read in `tx`.
    private func formOf(instanceID: String, token: Int, in tx: WriteTransaction) async throws -> TaskForm? {
        guard let row = try await tx.firstRow("\(ProcessRows.instanceColumns) WHERE id = \(bind: instanceID)") else { return nil }
        let (instance, deployed) = try await withDefinition(row, in: tx)
        guard let waiting = instance.state.token(token), case .userTask(let task) = deployed.process.nodes[waiting.node].kind else { return nil }
        return task.form
    }
}
