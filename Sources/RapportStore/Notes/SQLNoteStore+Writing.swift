import NIOCore
import RapportCore
import SQLKit

extension SQLNoteStore {
    public func createNote(_ draft: NoteDraft, author: Colleague, in tx: WriteTransaction) async throws -> Note {
        let (customerID, conversationID) = try await store.customers.subject(customerID: draft.customerID, conversationID: draft.conversationID, in: tx)
        let departmentID = try await department(for: draft.visibility, asked: draft.departmentID, author: author, in: tx)
        let privateTo = draft.visibility == .department ? departmentID : nil
        let tokens = MentionParser.tokens(in: draft.body)
        let followers = try await store.notifications.followers(customerID: customerID, conversationID: conversationID, in: tx)
        let directory = tokens.isEmpty && followers.isEmpty ? nil : try await mentionDirectory(in: tx)
        let (mentions, unresolved) = directory.map { MentionResolution.resolve(tokens, in: $0, privateTo: privateTo) }
            ?? ([], tokens.map { UnresolvedMention(text: $0.text, reason: .unknown) })
        let time = tx.now()
        let files = draft.files.enumerated().map { position, file in
            NoteFile(id: tx.newID("nfl"), filename: file.filename ?? "file-\(position + 1)", contentType: file.contentType, size: file.size)
        }
        let note = Note(id: tx.newID("not"), customerID: customerID, conversationID: conversationID, body: draft.body,
                        visibility: draft.visibility, departmentID: departmentID, pinned: draft.pinned, author: author.actor,
                        authorName: try await userName(author.userID, in: tx), mentions: mentions, unresolvedMentions: unresolved,
                        attachments: files, version: 1, createdAt: time, updatedAt: time, editedAt: nil)
        try await NoteRows.insert(note, on: tx)
        for (position, (file, content)) in zip(files, draft.files.map(\.content)).enumerated() {
            try await tx.execute("""
                INSERT INTO note_files (id, note_id, position, filename, content_type, size, content, created_at)
                VALUES (\(bind: file.id), \(bind: note.id), \(bind: position), \(bind: file.filename), \(bind: file.contentType),
                        \(bind: Int64(file.size)), \(bind: ByteBuffer(bytes: content)), \(bind: time.microseconds))
                """)
        }
        tx.append(.change("note", "created", subject: customerID, record: note.eventJSON, changedFields: [], actor: author.actor))
        if let directory {
            let recipients = NotificationFanout.recipients(
                mentions: mentions, followers: followers, directory: directory, authorUserID: author.userID, privateTo: privateTo,
                preferences: try await store.notifications.preferences(of: followers + directory.users(reachedBy: mentions), in: tx))
            try await store.notifications.notify(recipients, about: note, in: tx)
        }
        if let userID = author.userID {
            _ = try await store.notifications.follow(userID: userID, customerID: customerID, conversationID: conversationID, in: tx)
        }
        return note
    }

    public func changeNote(_ id: String, _ changes: NoteChanges, expectedVersion: Int64?, by author: Colleague,
                           in tx: WriteTransaction) async throws -> Note {
        let before = try await noteForUpdate(id, expectedVersion: expectedVersion, author: author, in: tx)
        if changes.body != nil || changes.visibility != nil, !(author.wrote(before) || author.moderates) {
            throw StoreError(.forbidden, "only the note's author, a manager or an admin may change its text or who sees it")
        }
        var note = before
        var changed: [String] = []
        let time = tx.now()
        if let pinned = changes.pinned, pinned != note.pinned {
            note.pinned = pinned
            changed.append("pinned")
        }
        if let visibility = changes.visibility, visibility != note.visibility {
            note.visibility = visibility
            if visibility == .department {
                note.departmentID = try await department(for: .department, asked: note.departmentID, author: author, in: tx)
            }
            changed.append("visibility")
        }
        var newMentions: [ResolvedMention] = []
        var directory: MentionDirectory?
        if let body = changes.body, body != note.body {
            try await tx.execute("""
                INSERT INTO note_revisions (note_id, version, body, editor_type, editor_id, edited_at)
                VALUES (\(bind: note.id), \(bind: note.version), \(bind: note.body), \(bind: author.actor.kind.rawValue),
                        \(bind: author.actor.id), \(bind: time.microseconds))
                """)
            note.body = body
            note.editedAt = time
            changed.append("body")
        }
        if changed.contains("body") || changed.contains("visibility") {
            let tokens = MentionParser.tokens(in: note.body)
            let loaded = try await mentionDirectory(in: tx)
            directory = loaded
            (note.mentions, note.unresolvedMentions) = MentionResolution.resolve(tokens, in: loaded, privateTo: note.isPrivate ? note.departmentID : nil)
            newMentions = note.mentions.filter { mention in !before.mentions.contains { $0.kind == mention.kind && $0.id == mention.id } }
        }
        guard !changed.isEmpty else { return note }
        note.version += 1
        note.updatedAt = time
        try await NoteRows.update(note, on: tx)
        tx.append(.change("note", "updated", subject: note.customerID, record: note.eventJSON, changedFields: changed, actor: author.actor))
        if let directory, !newMentions.isEmpty {
            let recipients = NotificationFanout.recipients(
                mentions: newMentions, followers: [], directory: directory, authorUserID: author.userID,
                privateTo: note.isPrivate ? note.departmentID : nil,
                preferences: try await store.notifications.preferences(of: directory.users(reachedBy: newMentions), in: tx))
            try await store.notifications.notify(recipients, about: note, in: tx)
        }
        return note
    }

    public func deleteNote(_ id: String, expectedVersion: Int64?, by author: Colleague, in tx: WriteTransaction) async throws {
        let note = try await noteForUpdate(id, expectedVersion: expectedVersion, author: author, in: tx)
        guard author.wrote(note) || author.moderates else {
            throw StoreError(.forbidden, "only the note's author, a manager or an admin may delete it")
        }
        let time = tx.now()
        try await tx.execute("""
            UPDATE notes SET deleted_at = \(bind: time.microseconds), version = \(bind: note.version + 1), updated_at = \(bind: time.microseconds)
            WHERE id = \(bind: id)
            """)
        try await tx.execute("DELETE FROM note_files WHERE note_id = \(bind: id)")
        var deleted = note
        deleted.version += 1
        deleted.updatedAt = time
        tx.append(.change("note", "deleted", subject: note.customerID, record: deleted.eventJSON, changedFields: [], actor: author.actor))
    }

    // MARK: - Parts

    /// The department a note is kept in: the one asked for (it must exist; a private note's must be
    /// the author's own), else the author's. A private note needs one.
    private func department(for visibility: NoteVisibility, asked: String?, author: Colleague, in tx: WriteTransaction) async throws -> String? {
        if let asked {
            guard try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: asked)") != nil else {
                throw StoreError(.invalidReference, "department \(asked) does not exist", field: "department_id")
            }
            if visibility == .department, asked != author.departmentID {
                throw StoreError(.forbidden, "a note can be kept private only to your own department")
            }
            return asked
        }
        if visibility == .department, author.departmentID == nil {
            throw StoreError(.forbidden, "you belong to no department, so a note cannot be private to yours")
        }
        return author.departmentID
    }

    private func userName(_ userID: String?, in tx: WriteTransaction) async throws -> String? {
        guard let userID else { return nil }
        return try await tx.firstRow("SELECT name FROM users WHERE id = \(bind: userID)").map { try $0.string("name") }
    }

    /// The note to change, checked: it exists, the author may see it, and `If-Match` is current.
    private func noteForUpdate(_ id: String, expectedVersion: Int64?, author: Colleague, in tx: WriteTransaction) async throws -> Note {
        guard let row = try await tx.firstRow("\(NoteRows.select) WHERE n.id = \(bind: id) AND n.deleted_at IS NULL") else {
            throw StoreError.notFound("note", id)
        }
        let note = try NoteRows.decode(row)
        guard NoteAccess.canSee(note, readerDepartmentID: author.departmentID) else { throw StoreError.notFound("note", id) }
        if let expectedVersion, expectedVersion != note.version {
            throw StoreError(.preconditionFailed, "note \(id) is at version \(note.version), not \(expectedVersion)")
        }
        return note
    }

    /// Everyone who can be mentioned, read in the note's transaction.
    /// The directory as the transaction sees it: kept from an earlier note while the directory
    /// generation is the same (any change to users, departments or queues, even earlier in this
    /// transaction, gives a new one), else read and kept.
    func mentionDirectory(in tx: WriteTransaction) async throws -> MentionDirectory {
        let generation = try await tx.firstRow("SELECT generation FROM directory_generation WHERE id = 1")?.int64("generation")
        if let generation, let kept = store.mentionDirectories.directory(at: generation) { return kept }
        let loaded = try await MentionDirectory.load { query in try await tx.rows(query) }
        if let generation { store.mentionDirectories.keep(loaded, at: generation) }
        return loaded
    }
}

extension MentionDirectory {
    /// Reads the directory with `rows` (a transaction's or a reading connection's).
    static func load(_ rows: (SQLQueryString) async throws -> [any SQLRow]) async throws -> MentionDirectory {
        let users = try await rows("SELECT id, name, email, department_id FROM users WHERE active = 1 ORDER BY name, id").map { row in
            UserRow(id: try row.string("id"), name: try row.string("name"), email: try row.string("email"),
                    departmentID: try row.optionalString("department_id"))
        }
        let departments = try await rows("SELECT id, key, name FROM departments ORDER BY name, id").map { row in
            (id: try row.string("id"), key: try row.string("key"), name: try row.string("name"))
        }
        var members: [String: [String]] = [:]
        for row in try await rows("SELECT queue_id, user_id FROM queue_members ORDER BY queue_id, position") {
            members[try row.string("queue_id"), default: []].append(try row.string("user_id"))
        }
        let queues = try await rows("SELECT id, key, name, department_id FROM queues ORDER BY name, id").map { row in
            let id = try row.string("id")
            return QueueRow(id: id, key: try row.string("key"), name: try row.string("name"), departmentID: try row.string("department_id"),
                            memberIDs: members[id] ?? [])
        }
        return MentionDirectory(users: users, departments: departments, queues: queues)
    }
}
