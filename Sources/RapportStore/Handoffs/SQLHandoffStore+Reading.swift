import RapportCore
import SQLKit

extension SQLHandoffStore {
    static let columns: SQLQueryString = "SELECT id, status, escalated_at, record, version FROM handoffs"

    static func hoursKey(_ departmentID: String) -> String { "business_hours/\(departmentID)" }

    /// A department's opening hours as its setting keeps them; nil when it has none (every hour counts).
    static func businessHours(of departmentID: String, on database: any SQLDatabase) async throws -> BusinessHours? {
        guard let document = try await SettingsRows.document(hoursKey(departmentID), on: database), !document.isNull else { return nil }
        return try? BusinessHours.read(document, path: "business_hours")
    }

    static func record(_ handoff: Handoff) -> String { handoff.json(at: handoff.updatedAt).jsonString }

    static func decode(_ row: any SQLRow) throws -> Handoff {
        var handoff = try handoff(from: try row.jsonObject("record"))
        handoff.id = try row.string("id")
        handoff.status = try storedEnum(try row.string("status"))
        handoff.escalatedAt = try row.optionalTimestamp("escalated_at")
        handoff.version = try row.int64("version")
        return handoff
    }

    /// A handoff from its stored JSON (the row's columns, where there are any, are the truth).
    static func handoff(from record: JSONObject) throws -> Handoff {
        func text(_ key: String) -> String? { record[key]?.stringValue }
        func time(_ key: String) -> Timestamp? { text(key).flatMap(Timestamp.init(rfc3339:)) }
        return Handoff(
            id: text("id") ?? "", kind: text("kind").flatMap(HandoffKind.init(rawValue:)) ?? .other,
            fromDepartmentID: text("from_department_id") ?? "", toDepartmentID: text("to_department_id") ?? "",
            customerID: text("customer_id") ?? "", conversationID: text("conversation_id"), reason: text("reason") ?? "",
            status: try storedEnum(text("status") ?? "requested"), requestedBy: Actor(json: record["requested_by"]) ?? .system,
            acceptedBy: text("accepted_by"), slaMinutes: Int(record["sla_minutes"]?.intValue ?? 0),
            answerDueAt: time("answer_due_at") ?? Timestamp(microseconds: 0), escalatedAt: time("escalated_at"),
            declineReason: text("decline_reason"), outcome: text("outcome"), createdAt: time("created_at") ?? Timestamp(microseconds: 0),
            updatedAt: time("updated_at") ?? Timestamp(microseconds: 0), answeredAt: time("answered_at"), completedAt: time("completed_at"),
            version: record["version"]?.intValue ?? 1)
    }

    static let stepColumns: SQLQueryString = """
        SELECT s.id, s.step, s.actor, s.at, s.record, s.to_department_id, h.customer_id FROM handoff_steps s JOIN handoffs h ON h.id = s.handoff_id
        """

    /// A step as stored; the customer is the handoff's now (a merge moves handoffs to the survivor).
    static func decodeStep(_ row: any SQLRow) throws -> HandoffStepRecord {
        var handoff = try handoff(from: try row.jsonObject("record"))
        handoff.customerID = try row.string("customer_id")
        let step = try row.string("step")
        let stored = try row.optionalString("actor").flatMap { try? JSONParser.parse($0) }
        // Steps kept from before steps were recorded have no actor: the request's is its requester.
        let actor = Actor(json: stored) ?? (step == "requested" ? handoff.requestedBy : .system)
        return HandoffStepRecord(id: try row.string("id"), step: step, actor: actor, at: try row.timestamp("at"), handoff: handoff)
    }

    public func steps(customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<HandoffStepRecord> {
        try await stepPage("\(Self.stepColumns) WHERE h.customer_id = \(bind: customerID)", newestFirst: newestFirst, limit: limit, cursor: cursor)
    }

    public func steps(handoffID: String) async throws -> [HandoffStepRecord] {
        try await stepPage("\(Self.stepColumns) WHERE s.handoff_id = \(bind: handoffID)", newestFirst: false, limit: 1_000, cursor: nil).items
    }

    func stepPage(_ base: SQLQueryString, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<HandoffStepRecord> {
        var query = base
        query += try ListCursor.after(cursor, time: "s.at", id: "s.id", newestFirst: newestFirst)
        query += newestFirst ? " ORDER BY s.at DESC, s.id DESC" : " ORDER BY s.at, s.id"
        query += " LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().map(Self.decodeStep) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.at.microseconds, $0.id) } : nil)
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
            return .some(try await Self.businessHours(of: departmentID, on: database))
        }
    }
}
