import RapportCore
import SQLKit

extension SQLHandoffStore {
    static let columns: SQLQueryString = "SELECT id, status, escalated_at, record, version FROM handoffs"

    static func hoursKey(_ departmentID: String) -> String { "business_hours/\(departmentID)" }

    static func record(_ handoff: Handoff) -> String { handoff.json(at: handoff.updatedAt).jsonString }

    static func decode(_ row: any SQLRow) throws -> Handoff {
        let record = try row.jsonObject("record")
        func text(_ key: String) -> String? { record[key]?.stringValue }
        func time(_ key: String) -> Timestamp? { text(key).flatMap(Timestamp.init(rfc3339:)) }
        let requester = record["requested_by"]?.objectValue
        return Handoff(
            id: try row.string("id"), kind: text("kind").flatMap(HandoffKind.init(rawValue:)) ?? .other,
            fromDepartmentID: text("from_department_id") ?? "", toDepartmentID: text("to_department_id") ?? "",
            customerID: text("customer_id") ?? "", conversationID: text("conversation_id"), reason: text("reason") ?? "",
            status: try storedEnum(try row.string("status")),
            requestedBy: Actor(kind: requester?["type"]?.stringValue.flatMap(Actor.Kind.init(rawValue:)) ?? .system, id: requester?["id"]?.stringValue),
            acceptedBy: text("accepted_by"), slaMinutes: Int(record["sla_minutes"]?.intValue ?? 0),
            answerDueAt: time("answer_due_at") ?? Timestamp(microseconds: 0), escalatedAt: try row.optionalTimestamp("escalated_at"),
            declineReason: text("decline_reason"), outcome: text("outcome"), createdAt: time("created_at") ?? Timestamp(microseconds: 0),
            updatedAt: time("updated_at") ?? Timestamp(microseconds: 0), answeredAt: time("answered_at"), completedAt: time("completed_at"),
            version: try row.int64("version"))
    }

    public func handoff(_ id: String) async throws -> Handoff? {
        try await read { try await $0.raw("\(Self.columns) WHERE id = \(bind: id)").first().map(Self.decode) }
    }

    public func handoffs(departmentID: String?, direction: HandoffDirection, status: HandoffStatus?, customerID: String?,
                         limit: Int, cursor: String?) async throws -> Page<Handoff> {
        var query: SQLQueryString = "\(Self.columns) WHERE 1 = 1"
        if let departmentID {
            switch direction {
            case .incoming: query += " AND to_department_id = \(bind: departmentID)"
            case .outgoing: query += " AND from_department_id = \(bind: departmentID)"
            case .both: query += " AND (to_department_id = \(bind: departmentID) OR from_department_id = \(bind: departmentID))"
            }
        }
        if let status { query += " AND status = \(bind: status.rawValue)" }
        if let customerID { query += " AND customer_id = \(bind: customerID)" }
        if let cursor { query += " AND id < \(bind: try ListCursor.decode(cursor))" }
        query += " ORDER BY id DESC LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().map(Self.decode) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    public func businessHours(of departmentID: String) async throws -> BusinessHours?? {
        try await read { database in
            guard try await database.raw("SELECT id FROM departments WHERE id = \(bind: departmentID)").first() != nil else { return nil }
            guard let document = try await SettingsRows.document(Self.hoursKey(departmentID), on: database), !document.isNull else {
                return .some(nil)
            }
            return .some(try? BusinessHours.read(document, path: "business_hours"))
        }
    }
}
