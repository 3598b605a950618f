import RapportCore
import SQLKit

extension SQLTaskStore {
    public func createTask(_ draft: TaskDraft, source: String, by actor: Actor, in tx: WriteTransaction) async throws -> TaskItem {
        // A task may be about no customer at all.
        let customerID = draft.customerID == nil && draft.conversationID == nil ? nil
            : try await store.customers.subject(customerID: draft.customerID, conversationID: draft.conversationID, in: tx).customerID
        guard let assignee = draft.assignee ?? (actor.kind == .user ? actor.id.map { TaskAssignee(kind: .user, id: $0) } : nil) else {
            throw StoreError(.invalidReference, "name the assignee: a key is no one to give a task to", field: "assignee")
        }
        let checked = try await checkAssignee(assignee, in: tx)
        let time = tx.now()
        let task = TaskItem(id: tx.newID("tsk"), title: draft.title, description: draft.description, status: .open, priority: draft.priority,
                            assignee: checked, customerID: customerID, conversationID: draft.conversationID, dueAt: draft.dueAt,
                            remindAt: draft.remindAt, recurrence: draft.recurrence, checklist: draft.checklist, source: source,
                            createdBy: actor, createdAt: time, updatedAt: time, completedAt: nil, overdueNotifiedAt: nil, version: 1)
        try await TaskRows.insert(task, on: tx)
        tx.append(.change("task", "created", subject: customerID ?? task.id, record: task.json(at: time), changedFields: [], actor: actor))
        try await notifyAssignee(of: task, kind: .assignment, except: actor, in: tx)
        return task
    }

    public func changeTask(_ id: String, _ changes: TaskChanges, expectedVersion: Int64?, by actor: Actor,
                           in tx: WriteTransaction) async throws -> TaskItem {
        guard let row = try await tx.firstRow("\(TaskRows.columns) WHERE id = \(bind: id)") else { throw StoreError.notFound("task", id) }
        let before = try TaskRows.decode(row)
        if let expectedVersion, expectedVersion != before.version {
            throw StoreError(.preconditionFailed, "task \(id) is at version \(before.version), not \(expectedVersion)")
        }
        var task = before
        var changed: [String] = []
        func set<Value: Equatable>(_ path: WritableKeyPath<TaskItem, Value>, _ value: Value, _ name: String) {
            guard task[keyPath: path] != value else { return }
            task[keyPath: path] = value
            changed.append(name)
        }
        if let title = changes.title { set(\.title, title, "title") }
        set(\.description, changes.description.applied(to: task.description), "description")
        if let priority = changes.priority { set(\.priority, priority, "priority") }
        if let assignee = changes.assignee, assignee != task.assignee {
            set(\.assignee, try await checkAssignee(assignee, in: tx), "assignee")
        }
        set(\.dueAt, changes.dueAt.applied(to: task.dueAt), "due_at")
        set(\.remindAt, changes.remindAt.applied(to: task.remindAt), "remind_at")
        set(\.recurrence, changes.recurrence.applied(to: task.recurrence), "recurrence")
        if let checklist = changes.checklist { set(\.checklist, checklist, "checklist") }
        if task.recurrence != nil, task.dueAt == nil {
            throw StoreError(.invalidReference, "a recurring task needs due_at: the first occurrence", field: "recurrence")
        }
        let time = tx.now()
        if changed.contains("due_at") { task.overdueNotifiedAt = nil }
        if let status = changes.status, status != task.status {
            set(\.status, status, "status")
            task.completedAt = status == .done ? time : nil
        }
        guard !changed.isEmpty else { return task }
        task.version += 1
        task.updatedAt = time
        try await TaskRows.update(task, on: tx)
        let change = changed.contains("status") && task.status == .done ? "completed"
            : changed.contains("status") && task.status == .cancelled ? "cancelled" : "updated"
        tx.append(.change("task", change, subject: task.customerID ?? task.id, record: task.json(at: time), changedFields: changed, actor: actor))
        if changed.contains("assignee") { try await notifyAssignee(of: task, kind: .assignment, except: actor, in: tx) }
        if change == "completed" || change == "cancelled", task.source.hasPrefix("process:") {
            // A user task of a process waits for this one.
            try await store.processes.userTaskEnded(task.id, done: change == "completed", by: actor, in: tx)
        }
        if change == "completed", before.status == .open, let next = task.next(id: tx.newID("tsk"), at: time) {
            try await TaskRows.insert(next, on: tx)
            tx.append(.change("task", "created", subject: next.customerID ?? next.id, record: next.json(at: time), changedFields: [],
                              actor: actor))
        }
        return task
    }

    public func sendDueNotices(at now: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> Int {
        var sent = 0
        let reminders = try await tx.rows("""
            \(TaskRows.columns) WHERE remind_at IS NOT NULL AND remind_at <= \(bind: now.microseconds) AND status = 'open'
            ORDER BY remind_at, id LIMIT \(bind: limit)
            """).map(TaskRows.decode)
        for var task in reminders {
            try await notifyAssignee(of: task, kind: .taskDue, except: nil, in: tx)
            task.remindAt = nil
            try await tx.execute("UPDATE tasks SET remind_at = NULL WHERE id = \(bind: task.id)")
            sent += 1
        }
        let overdue = try await tx.rows("""
            \(TaskRows.columns) WHERE status = 'open' AND due_at IS NOT NULL AND due_at < \(bind: now.microseconds)
              AND overdue_notified_at IS NULL
            ORDER BY due_at, id LIMIT \(bind: limit)
            """).map(TaskRows.decode)
        for task in overdue {
            try await notifyAssignee(of: task, kind: .taskOverdue, except: nil, in: tx)
            try await tx.execute("UPDATE tasks SET overdue_notified_at = \(bind: now.microseconds) WHERE id = \(bind: task.id)")
            sent += 1
        }
        return sent
    }

    // MARK: - Parts

    /// The assignee as kept: an active user, a queue, a department (named by id or key).
    private func checkAssignee(_ assignee: TaskAssignee, in tx: WriteTransaction) async throws -> TaskAssignee {
        let query: SQLQueryString
        switch assignee.kind {
        case .user: query = "SELECT id FROM users WHERE id = \(bind: assignee.id) AND active = 1"
        case .queue: query = "SELECT id FROM queues WHERE id = \(bind: assignee.id)"
        case .department: query = "SELECT id FROM departments WHERE id = \(bind: assignee.id) OR key = \(bind: assignee.id)"
        }
        guard let id = try await tx.firstRow(query).map({ try $0.string("id") }) else {
            throw StoreError(.invalidReference, "\(assignee.kind.rawValue) \(assignee.id) does not exist", field: "assignee.id")
        }
        return TaskAssignee(kind: assignee.kind, id: id)
    }

    /// Tells the assignee (the people of a queue or department) about the task.
    private func notifyAssignee(of task: TaskItem, kind: NotificationKind, except actor: Actor?, in tx: WriteTransaction) async throws {
        let target = task.assignee.kind == .user ? task.assignee.id : "\(task.assignee.kind.rawValue):\(task.assignee.id)"
        let users = try await store.notifications.users(reachedBy: [target], in: tx)
        var via: ResolvedMention?
        if task.assignee.kind != .user {
            let table: SQLQueryString = task.assignee.kind == .queue ? "queues" : "departments"
            let name = try await tx.firstRow("SELECT name FROM \(table) WHERE id = \(bind: task.assignee.id)").map { try $0.string("name") }
            via = ResolvedMention(kind: task.assignee.kind == .queue ? .queue : .department, id: task.assignee.id, name: name ?? "", text: "")
        }
        let subject = NotificationSubject(customerID: task.customerID, conversationID: task.conversationID, taskID: task.id, text: task.title)
        try await store.notifications.notify(users, kind: kind, about: subject, actor: actor, via: via, in: tx)
    }
}
