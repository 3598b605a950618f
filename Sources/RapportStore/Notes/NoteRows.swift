import RapportCore
import SQLKit

/// How a note is kept in the `notes` table.
enum NoteRows {
    static func decode(_ row: any SQLRow) throws -> Note {
        let mentions = ((try? JSONParser.parse(try row.string("mentions")))?.arrayValue ?? []).compactMap(ResolvedMention.init)
        let unresolved = ((try? JSONParser.parse(try row.string("unresolved_mentions")))?.arrayValue ?? []).compactMap(UnresolvedMention.init)
        let files = ((try? JSONParser.parse(try row.string("attachments")))?.arrayValue ?? []).compactMap(NoteFile.init)
        return Note(
            id: try row.string("id"), customerID: try row.string("customer_id"), conversationID: try row.optionalString("conversation_id"),
            body: try row.string("body"), visibility: try storedEnum(try row.string("visibility")),
            departmentID: try row.optionalString("department_id"), pinned: try row.int64("pinned") != 0,
            author: Actor(kind: try storedEnum(try row.string("author_type")), id: try row.optionalString("author_id")),
            authorName: try row.decode(column: "author_name", as: String?.self),
            mentions: mentions, unresolvedMentions: unresolved, attachments: files, version: try row.int64("version"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"), editedAt: try row.optionalTimestamp("edited_at"))
    }

    /// The columns `decode` reads, with the author's name from `users`.
    static let select: SQLQueryString = """
        SELECT n.id, n.customer_id, n.conversation_id, n.body, n.visibility, n.department_id, n.pinned, n.author_type, n.author_id,
               n.mentions, n.unresolved_mentions, n.attachments, n.version, n.created_at, n.updated_at, n.edited_at,
               u.name AS author_name
        FROM notes n LEFT JOIN users u ON n.author_type = 'user' AND u.id = n.author_id
        """

    static func insert(_ note: Note, on tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO notes (id, customer_id, conversation_id, body, visibility, department_id, pinned, author_type, author_id,
                               mentions, unresolved_mentions, attachments, version, created_at, updated_at, edited_at)
            VALUES (\(bind: note.id), \(bind: note.customerID), \(bind: note.conversationID), \(bind: note.body),
                    \(bind: note.visibility.rawValue), \(bind: note.departmentID), \(bind: note.pinned ? 1 : 0 as Int64),
                    \(bind: note.author.kind.rawValue), \(bind: note.author.id), \(bind: JSONValue.array(note.mentions.map(\.json)).jsonString),
                    \(bind: JSONValue.array(note.unresolvedMentions.map(\.json)).jsonString),
                    \(bind: JSONValue.array(note.attachments.map(\.json)).jsonString), \(bind: note.version),
                    \(bind: note.createdAt.microseconds), \(bind: note.updatedAt.microseconds), \(bind: note.editedAt?.microseconds))
            """)
    }

    static func update(_ note: Note, on tx: WriteTransaction) async throws {
        try await tx.execute("""
            UPDATE notes SET body = \(bind: note.body), visibility = \(bind: note.visibility.rawValue), department_id = \(bind: note.departmentID),
                pinned = \(bind: note.pinned ? 1 : 0 as Int64), mentions = \(bind: JSONValue.array(note.mentions.map(\.json)).jsonString),
                unresolved_mentions = \(bind: JSONValue.array(note.unresolvedMentions.map(\.json)).jsonString),
                version = \(bind: note.version), updated_at = \(bind: note.updatedAt.microseconds), edited_at = \(bind: note.editedAt?.microseconds)
            WHERE id = \(bind: note.id)
            """)
    }
}
