import RapportCore
import SQLKit

/// How a task is kept: what lists filter and sort on in columns, the rest in `record`.
enum TaskRows {
    static let columns: SQLQueryString = """
        SELECT id, status, priority, assignee_kind, assignee_id, customer_id, conversation_id, due_at, remind_at, overdue_notified_at,
               record, created_at, updated_at, version FROM tasks
        """

    static func decode(_ row: any SQLRow) throws -> TaskItem {
        let record = try row.jsonObject("record")
        let creator = record["created_by"]?.objectValue
        return TaskItem(
            id: try row.string("id"), title: record["title"]?.stringValue ?? "", description: record["description"]?.stringValue,
            status: try storedEnum(try row.string("status")), priority: try storedEnum(try row.string("priority")),
            assignee: TaskAssignee(kind: try storedEnum(try row.string("assignee_kind")), id: try row.string("assignee_id")),
            customerID: try row.optionalString("customer_id"), conversationID: try row.optionalString("conversation_id"),
            dueAt: try row.optionalTimestamp("due_at"), remindAt: try row.optionalTimestamp("remind_at"),
            recurrence: record["recurrence"]?.stringValue,
            checklist: (record["checklist"]?.arrayValue ?? []).compactMap(ChecklistItem.init),
            source: record["source"]?.stringValue ?? "person",
            createdBy: Actor(kind: creator?["type"]?.stringValue.flatMap(Actor.Kind.init(rawValue:)) ?? .system, id: creator?["id"]?.stringValue),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
            completedAt: record["completed_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            overdueNotifiedAt: try row.optionalTimestamp("overdue_notified_at"), version: try row.int64("version"))
    }

    static func record(_ task: TaskItem) -> String {
        var object: JSONObject = ["title": .string(task.title), "source": .string(task.source), "created_by": task.createdBy.json,
                                  "checklist": .array(task.checklist.map(\.json))]
        if let description = task.description { object["description"] = .string(description) }
        if let recurrence = task.recurrence { object["recurrence"] = .string(recurrence) }
        if let completed = task.completedAt { object["completed_at"] = .string(completed.rfc3339) }
        return JSONValue.object(object).jsonString
    }

    static func insert(_ task: TaskItem, on tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO tasks (id, status, priority, assignee_kind, assignee_id, customer_id, conversation_id, due_at, remind_at,
                               overdue_notified_at, record, created_at, updated_at, version)
            VALUES (\(bind: task.id), \(bind: task.status.rawValue), \(bind: task.priority.rawValue), \(bind: task.assignee.kind.rawValue),
                    \(bind: task.assignee.id), \(bind: task.customerID), \(bind: task.conversationID), \(bind: task.dueAt?.microseconds),
                    \(bind: task.remindAt?.microseconds), \(bind: task.overdueNotifiedAt?.microseconds), \(bind: record(task)),
                    \(bind: task.createdAt.microseconds), \(bind: task.updatedAt.microseconds), \(bind: task.version))
            """)
    }

    static func update(_ task: TaskItem, on tx: WriteTransaction) async throws {
        try await tx.execute("""
            UPDATE tasks SET status = \(bind: task.status.rawValue), priority = \(bind: task.priority.rawValue),
                assignee_kind = \(bind: task.assignee.kind.rawValue), assignee_id = \(bind: task.assignee.id),
                due_at = \(bind: task.dueAt?.microseconds), remind_at = \(bind: task.remindAt?.microseconds),
                overdue_notified_at = \(bind: task.overdueNotifiedAt?.microseconds), record = \(bind: record(task)),
                updated_at = \(bind: task.updatedAt.microseconds), version = \(bind: task.version)
            WHERE id = \(bind: task.id)
            """)
    }
}
