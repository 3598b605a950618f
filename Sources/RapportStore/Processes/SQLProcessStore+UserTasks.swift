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
        try await tx.execute("DELETE FROM process_user_tasks WHERE task_id = \(bind: taskID)")
        let instanceID = try link.string("instance_id")
        let token = Int(try link.int64("token"))
        let input: FlowInput = done ? .complete(token: token, variables: [:]) : .fail(token: token, message: "the task was cancelled")
        _ = try await advance(instanceID, with: input, by: actor, in: tx)
    }
}
