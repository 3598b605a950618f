import Hummingbird
import RapportCore
import RapportStore

/// `/v1/reports`: the numbers behind the console's dashboards, computed by the database. Days
/// are UTC days.
struct ReportsController<Reports: ReportsStore> {
    let reports: Reports

    func register(_ routes: Routes<RapportRequestContext>) {
        routes.on(.get, "reports/interactions", query: ["days"], interactions)
        routes.on(.get, "reports/conversations", conversations)
        routes.on(.get, "reports/response-times", query: ["days"], responseTimes)
        routes.on(.get, "reports/routing", query: ["days"], routing)
        routes.on(.get, "reports/duplicates", duplicates)
    }

    static var microsecondsPerDay: Int64 { 86_400_000_000 }

    /// `days` (1 to 366, default `standard`): the last that many UTC days, today included.
    private func days(_ request: Request, standard: Int64) throws -> Int64 {
        guard let text = try request.query("days") else { return standard }
        guard let days = Int64(text), (1...366).contains(days) else { throw Problem.badRequest(field: "days", "must be 1 to 366") }
        return days
    }

    private static func date(_ day: Int64) -> String {
        String(Timestamp(microseconds: day * microsecondsPerDay).rfc3339.prefix(10))
    }

    private func since(_ request: Request, standard: Int64) throws -> Timestamp {
        let today = Timestamp.now().microseconds / Self.microsecondsPerDay
        return Timestamp(microseconds: (today - (try days(request, standard: standard)) + 1) * Self.microsecondsPerDay)
    }

    /// Interactions per day and channel, inbound and outbound; days without any are listed with zeros.
    @Sendable func interactions(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readInteractions)
        let days = try days(request, standard: 14)
        let today = Timestamp.now().microseconds / Self.microsecondsPerDay
        let first = today - days + 1
        var rows: [String: (inbound: Int64, outbound: Int64)] = [:]
        var channels: Set<String> = []
        for count in try await reports.interactionsPerDay(fromDay: first, toDay: today) {
            let key = "\(count.day)|\(count.channelID)"
            channels.insert(count.channelID)
            var row = rows[key] ?? (0, 0)
            if count.direction == "outbound" { row.outbound += count.count } else { row.inbound += count.count }
            rows[key] = row
        }
        var data: [JSONValue] = []
        for day in first...today {
            for channel in channels.sorted() {
                let row = rows["\(day)|\(channel)"] ?? (0, 0)
                data.append(["date": .string(Self.date(day)), "channel_id": .string(channel),
                             "inbound": .integer(row.inbound), "outbound": .integer(row.outbound)])
            }
        }
        return .json(["from": .string(Self.date(first)), "to": .string(Self.date(today)), "data": .array(data)])
    }

    @Sendable func conversations(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let load = try await reports.conversationLoad()
        func rows(_ groups: [String: [String: Int64]], key: String) -> JSONValue {
            .array(groups.keys.sorted().map { id in
                var counts = JSONObject()
                for status in ConversationStatus.allCases { counts[status.rawValue] = .integer(groups[id]?[status.rawValue] ?? 0) }
                return [key: .string(id), "counts": .object(counts)]
            })
        }
        return .json(["departments": rows(load.departments, key: "department_id"), "queues": rows(load.queues, key: "queue_id")])
    }

    @Sendable func responseTimes(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let since = try since(request, standard: 30)
        let rows = try await reports.responseTimes(since: since)
        return .json(["since": .string(since.rfc3339), "data": .array(rows.map { row in
            [
                "department_id": row.departmentID.map(JSONValue.string) ?? .null, "conversations": .integer(row.conversations),
                "responded": .integer(row.responded),
                "average_first_response_seconds": row.averageFirstResponseSeconds.map(JSONValue.double) ?? .null,
                "resolved": .integer(row.resolved),
                "average_resolution_seconds": row.averageResolutionSeconds.map(JSONValue.double) ?? .null,
            ]
        })])
    }

    @Sendable func routing(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readConversations)
        let since = try since(request, standard: 30)
        let outcomes = try await reports.routingOutcomes(since: since)
        func counts(_ values: [String: Int64], key: String) -> JSONValue {
            .array(values.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { [key: .string($0.key), "count": .integer($0.value)] })
        }
        return .json([
            "since": .string(since.rfc3339), "total": .integer(outcomes.total),
            "by_reason": counts(outcomes.byReason, key: "reason"), "by_rule": counts(outcomes.byRule, key: "rule_id"),
            "by_label": counts(outcomes.byLabel, key: "label"),
        ])
    }

    @Sendable func duplicates(_ request: Request, context: RapportRequestContext) async throws -> Response {
        try context.require(.readCustomers)
        var counts = JSONObject()
        for (status, count) in try await reports.duplicateQueue() { counts[status] = .integer(count) }
        return .json(["counts": .object(counts)])
    }
}
