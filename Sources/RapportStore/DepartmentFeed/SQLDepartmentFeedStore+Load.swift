import RapportCore
import SQLKit

extension SQLDepartmentFeedStore {
    public func load(of departmentID: String, at now: Timestamp) async throws -> DepartmentLoad {
        try await read { database in
            func counts(_ query: SQLQueryString) async throws -> [String: Int] {
                var counted: [String: Int] = [:]
                for row in try await database.raw(query).all() {
                    counted[try row.string("who")] = Int(try row.int64("n"))
                }
                return counted
            }
            func count(_ query: SQLQueryString) async throws -> Int {
                Int(try await database.raw(query).first()?.decode(column: "n", as: Int64.self) ?? 0)
            }
            let members: SQLQueryString = "SELECT id FROM users WHERE department_id = \(bind: departmentID) AND active = 1"
            let openTasks = try await counts("""
                SELECT assignee_id AS who, COUNT(*) AS n FROM tasks
                WHERE assignee_kind = 'user' AND status = 'open' AND assignee_id IN (\(members)) GROUP BY assignee_id
                """)
            let overdueTasks = try await counts("""
                SELECT assignee_id AS who, COUNT(*) AS n FROM tasks
                WHERE assignee_kind = 'user' AND status = 'open' AND assignee_id IN (\(members)) AND due_at IS NOT NULL
                  AND due_at < \(bind: now.microseconds) GROUP BY assignee_id
                """)
            let openConversations = try await counts("""
                SELECT assignee_id AS who, COUNT(*) AS n FROM conversations
                WHERE assignee_id IN (\(members)) AND status = 'open' GROUP BY assignee_id
                """)
            let waitingConversations = try await counts("""
                SELECT assignee_id AS who, COUNT(*) AS n FROM conversations
                WHERE assignee_id IN (\(members)) AND status IN ('pending', 'snoozed') GROUP BY assignee_id
                """)
            var inProgress: [String: Int] = [:]
            for row in try await database.raw("""
                \(SQLHandoffStore.columns) WHERE to_department_id = \(bind: departmentID) AND status = 'accepted'
                """).all() {
                if let user = try SQLHandoffStore.decode(row).acceptedBy { inProgress[user, default: 0] += 1 }
            }
            let people = try await database.raw("""
                SELECT id, name, role FROM users WHERE department_id = \(bind: departmentID) AND active = 1 ORDER BY id
                """).all().map { row in
                let id = try row.string("id")
                return PersonLoad(userID: id, name: try row.string("name"), role: try storedEnum(try row.string("role")),
                                  openTasks: openTasks[id] ?? 0, overdueTasks: overdueTasks[id] ?? 0,
                                  openConversations: openConversations[id] ?? 0, waitingConversations: waitingConversations[id] ?? 0,
                                  handoffsInProgress: inProgress[id] ?? 0)
            }
            return DepartmentLoad(
                departmentID: departmentID, people: people,
                unassignedConversations: try await count("""
                    SELECT COUNT(*) AS n FROM conversations c
                    WHERE \(Self.belongs(departmentID)) AND c.status = 'open' AND c.assignee_id IS NULL
                    """),
                sharedTasks: try await count("""
                    SELECT COUNT(*) AS n FROM tasks WHERE status = 'open'
                      AND ((assignee_kind = 'department' AND assignee_id = \(bind: departmentID))
                        OR (assignee_kind = 'queue' AND assignee_id IN (SELECT id FROM queues WHERE department_id = \(bind: departmentID))))
                    """),
                unansweredHandoffs: try await count("""
                    SELECT COUNT(*) AS n FROM handoffs WHERE to_department_id = \(bind: departmentID) AND status = 'requested'
                    """))
        }
    }
}
