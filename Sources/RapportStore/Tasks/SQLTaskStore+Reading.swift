import RapportCore
import SQLKit

extension SQLTaskStore {
    public func task(_ id: String) async throws -> TaskItem? {
        try await read { try await $0.raw("\(TaskRows.columns) WHERE id = \(bind: id)").first().map(TaskRows.decode) }
    }

    /// Soonest due first (tasks without a due time last), then by id; the cursor is `due|id`.
    public func tasks(_ query: TaskQuery, limit: Int, cursor: String?) async throws -> Page<TaskItem> {
        let noDue = Int64.max
        var sql: SQLQueryString = "\(TaskRows.columns) WHERE 1 = 1"
        switch query.view {
        case .mine:
            let user = query.userID ?? ""
            sql += """
                 AND ((assignee_kind = 'user' AND assignee_id = \(bind: user))
                   OR (assignee_kind = 'queue' AND assignee_id IN (SELECT queue_id FROM queue_members WHERE user_id = \(bind: user))))
                """
        case .department:
            let department = query.departmentID ?? ""
            sql += """
                 AND ((assignee_kind = 'department' AND assignee_id = \(bind: department))
                   OR (assignee_kind = 'queue' AND assignee_id IN (SELECT id FROM queues WHERE department_id = \(bind: department)))
                   OR (assignee_kind = 'user' AND assignee_id IN (SELECT id FROM users WHERE department_id = \(bind: department))))
                """
        case .all:
            break
        }
        if let status = query.status { sql += " AND status = \(bind: status.rawValue)" }
        if let now = query.overdueAt { sql += " AND status = 'open' AND due_at IS NOT NULL AND due_at < \(bind: now.microseconds)" }
        if let customerID = query.customerID { sql += " AND customer_id = \(bind: customerID)" }
        if let conversationID = query.conversationID { sql += " AND conversation_id = \(bind: conversationID)" }
        if let cursor {
            let (due, id) = try ListCursor.decodePair(cursor)
            sql += """
                 AND (COALESCE(due_at, \(bind: noDue)) > \(bind: due) OR (COALESCE(due_at, \(bind: noDue)) = \(bind: due) AND id > \(bind: id)))
                """
        }
        sql += " ORDER BY COALESCE(due_at, \(bind: noDue)), id LIMIT \(bind: limit + 1)"
        let finalQuery = sql
        let rows = try await read { try await $0.raw(finalQuery).all().map(TaskRows.decode) }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { ListCursor.encode($0.dueAt?.microseconds ?? noDue, $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }
}
