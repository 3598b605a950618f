import NIOCore
import RapportCore
import SQLKit

/// The mail tables: a message row with its raw bytes, and its attachments.
enum MailRows {
    /// The batch's messages and attachments, 50 rows a statement.
    static func insert(_ pending: PendingMail, in tx: WriteTransaction) async throws {
        for chunk in stride(from: 0, to: pending.rows.count, by: 50) {
            let values: [SQLQueryString] = pending.rows[chunk..<min(chunk + 50, pending.rows.count)].map { row in
                let record = row.record
                return """
                    (\(bind: record.id), \(bind: record.channelID), \(bind: record.direction.rawValue), \(bind: record.interactionID),
                    \(bind: record.customerID), \(bind: record.messageID), \(bind: record.threadKey), \(bind: row.threadSubject),
                    \(bind: row.fromAddress), \(bind: record.envelopeFrom), \(bind: record.envelopeTo.jsonText), \(bind: record.subject),
                    \(bind: record.flags.jsonText), \(bind: JSONValue.object(record.details).jsonString), \(bind: Int64(record.size)),
                    \(bind: ByteBuffer(bytes: row.raw)), \(bind: record.receivedAt.microseconds))
                    """
            }
            try await tx.execute("""
                INSERT INTO mail_messages (id, channel_id, direction, interaction_id, customer_id, message_id, thread_key, thread_subject,
                    from_address, envelope_from, envelope_to, subject, flags, details, size, raw, received_at)
                VALUES
                """ + values.joined(separator: ", "))
        }
        for chunk in stride(from: 0, to: pending.attachments.count, by: 50) {
            let values: [SQLQueryString] = pending.attachments[chunk..<min(chunk + 50, pending.attachments.count)].map { item in
                """
                (\(bind: item.summary.id), \(bind: item.mailID), \(bind: Int64(item.position)), \(bind: item.summary.filename),
                \(bind: item.summary.contentType), \(bind: item.contentID.map { String($0.prefix(500)) }), \(bind: Int64(item.summary.size)),
                \(bind: item.content.map { ByteBuffer(bytes: $0) }))
                """
            }
            try await tx.execute("""
                INSERT INTO mail_attachments (id, mail_id, position, filename, content_type, content_id, size, content) VALUES
                """ + values.joined(separator: ", "))
        }
    }

    static func record(_ id: String, on database: any SQLDatabase) async throws -> MailRecord? {
        guard let row = try await database.raw("""
            SELECT m.id, m.channel_id, m.direction, m.interaction_id, m.customer_id, m.message_id, m.thread_key, m.envelope_from,
                m.envelope_to, m.subject, m.flags, m.details, m.size, m.received_at, i.body, o.status, o.recipients, o.attempts,
                o.next_attempt_at, o.last_note, o.sent_at, o.updated_at
            FROM mail_messages m LEFT JOIN interactions i ON i.id = m.interaction_id LEFT JOIN mail_outbox o ON o.id = m.id
            WHERE m.id = \(bind: id)
            """).first() else { return nil }
        var details = try row.jsonObject("details")
        if details["text"] == nil { details["text"] = .string(try row.optionalString("body") ?? "") }
        let attachments = try await database.raw("""
            SELECT id, filename, content_type, size, CASE WHEN content IS NULL THEN 0 ELSE 1 END AS stored FROM mail_attachments
            WHERE mail_id = \(bind: id) ORDER BY position
            """).all().map(attachmentSummary)
        return MailRecord(
            id: try row.string("id"), channelID: try row.string("channel_id"),
            direction: InteractionDirection(rawValue: try row.string("direction")) ?? .inbound,
            interactionID: try row.optionalString("interaction_id"), customerID: try row.optionalString("customer_id"),
            messageID: try row.optionalString("message_id"), threadKey: try row.string("thread_key"),
            subject: try row.optionalString("subject"), envelopeFrom: try row.optionalString("envelope_from"),
            envelopeTo: try row.stringList("envelope_to"), flags: try row.stringList("flags"),
            details: details,
            attachments: attachments, size: Int(try row.int64("size")), receivedAt: Timestamp(microseconds: try row.int64("received_at")),
            delivery: try row.optionalString("status") == nil ? nil : try delivery(row))
    }

    static func attachmentSummary(_ row: any SQLRow) throws -> InboundMail.AttachmentSummary {
        InboundMail.AttachmentSummary(id: try row.string("id"), filename: try row.optionalString("filename"),
                                      contentType: try row.string("content_type"), size: Int(try row.int64("size")),
                                      stored: try row.int64("stored") != 0)
    }
}

extension SQLMailStore {
    public func mailMessage(_ id: String) async throws -> MailRecord? {
        try await read { try await MailRows.record(id, on: $0) }
    }

    public func rawMessage(_ id: String) async throws -> [UInt8]? {
        try await read { database in
            guard let row = try await database.raw("SELECT raw FROM mail_messages WHERE id = \(bind: id)").first() else { return nil }
            return Array(try row.decode(column: "raw", as: ByteBuffer.self).readableBytesView)
        }
    }

    public func attachment(_ attachmentID: String, of mailID: String) async throws
        -> (summary: InboundMail.AttachmentSummary, content: [UInt8]?)? {
        try await read { database in
            guard let row = try await database.raw("""
                SELECT id, filename, content_type, size, CASE WHEN content IS NULL THEN 0 ELSE 1 END AS stored, content FROM mail_attachments
                WHERE id = \(bind: attachmentID) AND mail_id = \(bind: mailID)
                """).first() else { return nil }
            let summary = try MailRows.attachmentSummary(row)
            let content = summary.stored ? Array(try row.decode(column: "content", as: ByteBuffer.self).readableBytesView) : nil
            return (summary, content)
        }
    }
}
