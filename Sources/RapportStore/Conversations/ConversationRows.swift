import RapportCore
import SQLKit

/// How conversations are stored.
enum ConversationRows {
    static func decode(_ row: any SQLRow) throws -> Conversation {
        Conversation(
            id: try row.string("id"), customerID: try row.string("customer_id"), channelID: try row.string("channel_id"),
            threadKey: try row.optionalString("thread_key"), subject: try row.optionalString("subject"),
            status: try storedEnum(try row.string("status")), departmentID: try row.optionalString("department_id"),
            queueID: try row.optionalString("queue_id"), assigneeID: try row.optionalString("assignee_id"),
            priority: try storedEnum(try row.string("priority")), tags: try row.stringList("tags"),
            suppressed: try row.optionalString("suppressed").map { try storedEnum($0) }, skills: try row.stringList("skills"),
            interactionCount: try row.int64("interaction_count"), lastInteractionAt: try row.timestamp("last_interaction_at"),
            snoozedUntil: try row.optionalTimestamp("snoozed_until"), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"), resolvedAt: try row.optionalTimestamp("resolved_at"))
    }

    static func insert(_ conversation: Conversation, weight: Double, on database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO conversations (id, customer_id, channel_id, thread_key, subject, status, department_id, queue_id, assignee_id,
                priority, tags, suppressed, skills, weight, interaction_count, last_interaction_at, snoozed_until, created_at, updated_at, resolved_at)
            VALUES (\(bind: conversation.id), \(bind: conversation.customerID), \(bind: conversation.channelID), \(bind: conversation.threadKey),
                \(bind: conversation.subject), \(bind: conversation.status.rawValue), \(bind: conversation.departmentID), \(bind: conversation.queueID),
                \(bind: conversation.assigneeID), \(bind: conversation.priority.rawValue), \(bind: conversation.tags.jsonText),
                \(bind: conversation.suppressed?.rawValue), \(bind: conversation.skills.jsonText), \(bind: weight),
                \(bind: conversation.interactionCount), \(bind: conversation.lastInteractionAt.microseconds),
                \(bind: conversation.snoozedUntil?.microseconds), \(bind: conversation.createdAt.microseconds),
                \(bind: conversation.updatedAt.microseconds), \(bind: conversation.resolvedAt?.microseconds))
            """).run()
    }

    static func update(_ conversation: Conversation, weight: Double, on database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE conversations SET subject = \(bind: conversation.subject), status = \(bind: conversation.status.rawValue),
                department_id = \(bind: conversation.departmentID), queue_id = \(bind: conversation.queueID),
                assignee_id = \(bind: conversation.assigneeID), priority = \(bind: conversation.priority.rawValue),
                tags = \(bind: conversation.tags.jsonText), suppressed = \(bind: conversation.suppressed?.rawValue),
                skills = \(bind: conversation.skills.jsonText), weight = \(bind: weight),
                interaction_count = \(bind: conversation.interactionCount),
                last_interaction_at = \(bind: conversation.lastInteractionAt.microseconds),
                snoozed_until = \(bind: conversation.snoozedUntil?.microseconds), updated_at = \(bind: conversation.updatedAt.microseconds),
                resolved_at = \(bind: conversation.resolvedAt?.microseconds)
            WHERE id = \(bind: conversation.id)
            """).run()
    }

    static func find(id: String, forUpdate: Bool, flavor: SQLFlavor, on database: any SQLDatabase) async throws -> Conversation? {
        let lock: SQLQueryString = forUpdate && flavor == .postgres ? " FOR UPDATE" : ""
        return try await database.raw("SELECT * FROM conversations WHERE id = \(bind: id)" + lock).first().map(decode)
    }

    /// Which fields differ, by their API names.
    static func changedFields(from old: Conversation, to new: Conversation) -> [String] {
        var fields: [String] = []
        if old.status != new.status { fields.append("status") }
        if old.departmentID != new.departmentID { fields.append("department_id") }
        if old.queueID != new.queueID { fields.append("queue_id") }
        if old.assigneeID != new.assigneeID { fields.append("assignee_id") }
        if old.priority != new.priority { fields.append("priority") }
        if old.tags != new.tags { fields.append("tags") }
        if old.suppressed != new.suppressed { fields.append("suppressed") }
        if old.skills != new.skills { fields.append("skills") }
        if old.snoozedUntil != new.snoozedUntil { fields.append("snoozed_until") }
        if old.subject != new.subject { fields.append("subject") }
        return fields
    }
}
