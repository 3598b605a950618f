import NIOCore
import RapportCore
import SQLKit

extension SQLNoteStore {
    public func note(_ id: String, readerDepartmentID: String?) async throws -> Note? {
        let note = try await read { database in
            try await database.raw("\(NoteRows.select) WHERE n.id = \(bind: id) AND n.deleted_at IS NULL").first().map(NoteRows.decode)
        }
        guard let note, NoteAccess.canSee(note, readerDepartmentID: readerDepartmentID) else { return nil }
        return note
    }

    public func notes(customerID: String?, conversationID: String?, pinned: Bool?, containing text: String?, readerDepartmentID: String?,
                      newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<Note> {
        var query: SQLQueryString = "\(NoteRows.select) WHERE n.deleted_at IS NULL"
        if let customerID { query += " AND n.customer_id = \(bind: customerID)" }
        if let conversationID { query += " AND n.conversation_id = \(bind: conversationID)" }
        if let pinned { query += " AND n.pinned = \(bind: pinned ? 1 : 0 as Int64)" }
        // Search reads through the same department filter below as every other read.
        if let text { query += " AND LOWER(n.body) LIKE \(bind: "%" + ListCursor.likePrefix(text.lowercased())) ESCAPE '\\'" }
        // The one place where a department's private notes are kept from everyone else.
        if let readerDepartmentID {
            query += " AND (n.visibility = 'everyone' OR n.department_id = \(bind: readerDepartmentID))"
        } else {
            query += " AND n.visibility = 'everyone'"
        }
        query += try ListCursor.after(cursor, time: "n.created_at", id: "n.id", newestFirst: newestFirst)
        query += newestFirst ? " ORDER BY n.created_at DESC, n.id DESC" : " ORDER BY n.created_at, n.id"
        query += " LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().map(NoteRows.decode) }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { ListCursor.encode($0.createdAt.microseconds, $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }

    public func revisions(ofNote id: String) async throws -> [NoteRevision] {
        try await read { database in
            try await database.raw("""
                SELECT version, body, editor_type, editor_id, edited_at FROM note_revisions WHERE note_id = \(bind: id) ORDER BY version
                """).all().map { row in
                NoteRevision(version: try row.int64("version"), body: try row.string("body"),
                             editor: Actor(kind: try storedEnum(try row.string("editor_type")), id: try row.optionalString("editor_id")),
                             editedAt: try row.timestamp("edited_at"))
            }
        }
    }

    public func noteFile(_ fileID: String, noteID: String) async throws -> (file: NoteFile, content: [UInt8])? {
        try await read { database in
            try await database.raw("""
                SELECT id, filename, content_type, size, content FROM note_files WHERE id = \(bind: fileID) AND note_id = \(bind: noteID)
                """).first().map { row in
                (NoteFile(id: try row.string("id"), filename: try row.string("filename"), contentType: try row.string("content_type"),
                          size: Int(try row.int64("size"))), Array(try row.decode(column: "content", as: ByteBuffer.self).readableBytesView))
            }
        }
    }

    public func mentionDirectory() async throws -> MentionDirectory {
        try await read { database in try await MentionDirectory.load { try await database.raw($0).all() } }
    }
}
