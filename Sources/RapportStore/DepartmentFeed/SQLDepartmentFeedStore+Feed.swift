import RapportCore
import SQLKit

extension SQLDepartmentFeedStore {
    public func feed(of departmentID: String, on day: DepartmentDay, newestFirst: Bool, limit: Int,
                     cursor: String?) async throws -> Page<DepartmentFeedEntry> {
        let order: SQLQueryString = newestFirst ? " DESC" : ""
        var steps: SQLQueryString = """
            \(SQLHandoffStore.stepColumns)
            WHERE (s.to_department_id = \(bind: departmentID) OR s.from_department_id = \(bind: departmentID))
              AND s.at >= \(bind: day.start.microseconds) AND s.at < \(bind: day.end.microseconds)
            """
        steps += try ListCursor.after(cursor, time: "s.at", id: "s.id", newestFirst: newestFirst)
        steps += " ORDER BY s.at\(order), s.id\(order) LIMIT \(bind: limit + 1)"
        var conversations: SQLQueryString = """
            SELECT * FROM conversations c
            WHERE \(Self.belongs(departmentID)) AND c.priority IN (\(binds: DepartmentFeedEntry.announcedPriorities.map(\.rawValue)))
              AND c.created_at >= \(bind: day.start.microseconds) AND c.created_at < \(bind: day.end.microseconds)
            """
        conversations += try ListCursor.after(cursor, time: "c.created_at", id: "c.id", newestFirst: newestFirst)
        conversations += " ORDER BY c.created_at\(order), c.id\(order) LIMIT \(bind: limit + 1)"
        let (stepQuery, conversationQuery) = (steps, conversations)
        let (stepRows, conversationRows) = try await read { database in
            (try await database.raw(stepQuery).all().map(SQLHandoffStore.decodeStep),
             try await database.raw(conversationQuery).all().map(ConversationRows.decode))
        }
        let merged = TimeOrderedMerge.page(
            [(stepRows.prefix(limit).map { .handoffStep($0, incoming: $0.handoff.toDepartmentID == departmentID) }, stepRows.count > limit),
             (conversationRows.prefix(limit).map(DepartmentFeedEntry.highPriorityConversation), conversationRows.count > limit)],
            newestFirst: newestFirst, limit: limit) { ($0.time, $0.id) }
        let next = merged.more ? merged.entries.last.map { ListCursor.encode($0.time.microseconds, $0.id) } : nil
        return Page(items: merged.entries, nextCursor: next)
    }

    public func summary(of departmentID: String, on day: DepartmentDay) async throws -> DepartmentDaySummary {
        let (start, end) = (day.start.microseconds, day.end.microseconds)
        return try await read { database in
            func count(_ query: SQLQueryString) async throws -> Int {
                Int(try await database.raw(query).first()?.decode(column: "n", as: Int64.self) ?? 0)
            }
            func steps(_ step: String, _ side: SQLQueryString) async throws -> Int {
                try await count("""
                    SELECT COUNT(*) AS n FROM handoff_steps
                    WHERE \(side) = \(bind: departmentID) AND step = \(bind: step) AND at >= \(bind: start) AND at < \(bind: end)
                    """)
            }
            let priorities = DepartmentFeedEntry.announcedPriorities.map(\.rawValue)
            return DepartmentDaySummary(
                handoffsIn: try await steps("requested", "to_department_id"), handoffsOut: try await steps("requested", "from_department_id"),
                slaBreachesIn: try await steps("escalated", "to_department_id"), slaBreachesOut: try await steps("escalated", "from_department_id"),
                highPriorityConversations: try await count("""
                    SELECT COUNT(*) AS n FROM conversations c
                    WHERE \(Self.belongs(departmentID)) AND c.priority IN (\(binds: priorities))
                      AND c.created_at >= \(bind: start) AND c.created_at < \(bind: end)
                    """),
                unansweredNow: try await count("""
                    SELECT COUNT(*) AS n FROM handoffs WHERE to_department_id = \(bind: departmentID) AND status = 'requested'
                    """))
        }
    }

    /// A conversation `c` is the department's when routed to it or to one of its queues.
    static func belongs(_ departmentID: String) -> SQLQueryString {
        "(c.department_id = \(bind: departmentID) OR c.queue_id IN (SELECT id FROM queues WHERE department_id = \(bind: departmentID)))"
    }
}
