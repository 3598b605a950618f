import RapportCore
import SQLKit

extension SQLReportsStore {
    public func interactionsPerDay(fromDay: Int64, toDay: Int64) async throws -> [DailyInteractionCount] {
        try await read { database in
            try await database.raw("""
                SELECT day, channel_id, direction, n FROM interaction_daily_counts
                WHERE day >= \(bind: fromDay) AND day <= \(bind: toDay) ORDER BY day, channel_id, direction
                """).all().map { row in
                DailyInteractionCount(day: try row.int64("day"), channelID: try row.string("channel_id"),
                                      direction: try row.string("direction"), count: try row.int64("n"))
            }
        }
    }

    public func conversationLoad() async throws -> ConversationLoad {
        try await read { database in
            var load = ConversationLoad(departments: [:], queues: [:])
            for row in try await database.raw("""
                SELECT scope, scope_id, status, n FROM conversation_counts WHERE scope IN ('department', 'queue') AND n > 0
                """).all() {
                let id = try row.string("scope_id"), status = try row.string("status"), count = try row.int64("n")
                if try row.string("scope") == "department" {
                    load.departments[id, default: [:]][status] = count
                } else {
                    load.queues[id, default: [:]][status] = count
                }
            }
            return load
        }
    }

    public func responseTimes(since: Timestamp) async throws -> [ResponseTimes] {
        let real: SQLQueryString = flavor == .sqlite ? "REAL" : "DOUBLE PRECISION"
        return try await read { database in
            // Per conversation created since then, its first inbound interaction and the first
            // outbound one at or after it: the customer's first message and the first answer. An
            // outbound message before the customer wrote (a conversation the company opened) is
            // no answer; both times are the interactions' own, so they compare.
            let rows = try await database.raw("""
                SELECT c.department_id, COUNT(*) AS conversations,
                       COUNT(f.first_response) AS responded,
                       CAST(AVG(f.first_response - f.first_inbound) AS \(real)) AS first_response,
                       COUNT(c.resolved_at) AS resolved, CAST(AVG(c.resolved_at - c.created_at) AS \(real)) AS resolution
                FROM conversations c
                LEFT JOIN (SELECT q.conversation_id, q.first_inbound,
                                  (SELECT MIN(o.occurred_at) FROM conversation_interactions co
                                   JOIN interactions o ON o.id = co.interaction_id
                                   WHERE co.conversation_id = q.conversation_id AND o.direction = 'outbound'
                                   AND o.occurred_at >= q.first_inbound) AS first_response
                           FROM (SELECT ci.conversation_id, MIN(i.occurred_at) AS first_inbound
                                 FROM conversation_interactions ci JOIN interactions i ON i.id = ci.interaction_id
                                 JOIN conversations c2 ON c2.id = ci.conversation_id
                                 WHERE i.direction = 'inbound' AND c2.created_at >= \(bind: since.microseconds)
                                 GROUP BY ci.conversation_id) q) f ON f.conversation_id = c.id
                WHERE c.created_at >= \(bind: since.microseconds) AND c.suppressed IS NULL
                GROUP BY c.department_id ORDER BY c.department_id
                """).all()
            return try rows.map { row in
                ResponseTimes(departmentID: try row.optionalString("department_id"), conversations: try row.int64("conversations"),
                              responded: try row.int64("responded"),
                              averageFirstResponseSeconds: try Self.seconds(row, "first_response"),
                              resolved: try row.int64("resolved"), averageResolutionSeconds: try Self.seconds(row, "resolution"))
            }
        }
    }

    public func routingOutcomes(since: Timestamp) async throws -> RoutingOutcomes {
        let (reason, rule, label): (String, String, String) = switch flavor {
        case .sqlite:
            ("json_extract(decision, '$.reason')", "json_extract(decision, '$.matched_rules[0].rule_id')",
             "json_extract(decision, '$.prediction.label')")
        case .postgres:
            ("(decision::jsonb ->> 'reason')", "(decision::jsonb -> 'matched_rules' -> 0 ->> 'rule_id')",
             "(decision::jsonb -> 'prediction' ->> 'label')")
        }
        return try await read { database in
            var outcomes = RoutingOutcomes(byReason: [:], byRule: [:], byLabel: [:], total: 0)
            let rows = try await database.raw("""
                SELECT \(unsafeRaw: reason) AS reason, \(unsafeRaw: rule) AS rule_id, \(unsafeRaw: label) AS label, COUNT(*) AS n
                FROM routing_decisions WHERE created_at >= \(bind: since.microseconds)
                GROUP BY \(unsafeRaw: reason), \(unsafeRaw: rule), \(unsafeRaw: label)
                """).all()
            for row in rows {
                let count = try row.int64("n")
                outcomes.total += count
                outcomes.byReason[try row.optionalString("reason") ?? "none", default: 0] += count
                if let rule = try row.optionalString("rule_id") { outcomes.byRule[rule, default: 0] += count }
                if let label = try row.optionalString("label") { outcomes.byLabel[label, default: 0] += count }
            }
            return outcomes
        }
    }

    public func duplicateQueue() async throws -> [String: Int64] {
        try await read { database in
            var counts: [String: Int64] = [:]
            for row in try await database.raw("SELECT status, COUNT(*) AS n FROM duplicate_candidates GROUP BY status").all() {
                counts[try row.string("status")] = try row.int64("n")
            }
            return counts
        }
    }

    /// An average of microseconds as seconds; nil when there was nothing to average.
    static func seconds(_ row: any SQLRow, _ column: String) throws -> Double? {
        guard let value = try row.decode(column: column, as: Double?.self) else { return nil }
        return value / 1_000_000
    }
}
