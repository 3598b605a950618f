/// An internal note that people at the company write about a customer or one of its
/// conversations: Markdown text, files, mentions of people, departments and queues, pinned or not,
/// visible to everyone or only to one department.
public struct Note: Sendable, Equatable {
    public var id: String
    public var customerID: String
    public var conversationID: String?
    /// Markdown (the subset the console renders), as written.
    public var body: String
    public var visibility: NoteVisibility
    /// The department the note is private to (`department` visibility), or the author's.
    public var departmentID: String?
    public var pinned: Bool
    public var author: Actor
    public var authorName: String?
    public var mentions: [ResolvedMention]
    public var unresolvedMentions: [UnresolvedMention]
    public var attachments: [NoteFile]
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// When the body last changed after the note was written.
    public var editedAt: Timestamp?

    public init(id: String, customerID: String, conversationID: String?, body: String, visibility: NoteVisibility, departmentID: String?,
                pinned: Bool, author: Actor, authorName: String?, mentions: [ResolvedMention], unresolvedMentions: [UnresolvedMention],
                attachments: [NoteFile], version: Int64, createdAt: Timestamp, updatedAt: Timestamp, editedAt: Timestamp?) {
        self.id = id
        self.customerID = customerID
        self.conversationID = conversationID
        self.body = body
        self.visibility = visibility
        self.departmentID = departmentID
        self.pinned = pinned
        self.author = author
        self.authorName = authorName
        self.mentions = mentions
        self.unresolvedMentions = unresolvedMentions
        self.attachments = attachments
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.editedAt = editedAt
    }

    public var isPrivate: Bool { visibility == .department }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["customer_id"] = .string(customerID)
        object["conversation_id"] = conversationID.map(JSONValue.string) ?? .null
        object["body"] = .string(body)
        object["visibility"] = .string(visibility.rawValue)
        object["department_id"] = departmentID.map(JSONValue.string) ?? .null
        object["pinned"] = .bool(pinned)
        object["author"] = author.json
        object["author_name"] = authorName.map(JSONValue.string) ?? .null
        object["mentions"] = .array(mentions.map(\.json))
        object["unresolved_mentions"] = .array(unresolvedMentions.map(\.json))
        object["attachments"] = .array(attachments.map(\.json))
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        object["edited_at"] = editedAt.map { .string($0.rfc3339) } ?? .null
        return .object(object)
    }

    /// The note as its events carry it: a department-private note without its text and files, so
    /// that no copy of the log (a webhook's receiver, a queue, an export) holds what the
    /// department keeps to itself.
    public var eventJSON: JSONValue {
        guard isPrivate, case .object(var object) = json else { return json }
        object.removeValue(forKey: "body")
        object.removeValue(forKey: "attachments")
        object.removeValue(forKey: "unresolved_mentions")
        return .object(object)
    }

    /// The ETag of this version.
    public var etag: String { "\"\(id)-v\(version)\"" }
}

/// Who may read a note.
public enum NoteVisibility: String, Sendable, CaseIterable {
    /// Everyone who may read the customer's interactions.
    case everyone
    /// Only the members (users and keys) of the note's department.
    case department
}

/// A file kept with a note: its id, name, type and size.
public typealias NoteFile = ChatFile

/// One earlier text of a note, kept when the note was edited.
public struct NoteRevision: Sendable, Equatable {
    public var version: Int64
    public var body: String
    public var editor: Actor
    public var editedAt: Timestamp

    public init(version: Int64, body: String, editor: Actor, editedAt: Timestamp) {
        self.version = version
        self.body = body
        self.editor = editor
        self.editedAt = editedAt
    }

    public var json: JSONValue {
        ["version": .integer(version), "body": .string(body), "editor": editor.json, "edited_at": .string(editedAt.rfc3339)]
    }
}

/// Who sees department-private things: the members of the department, no one else (admins
/// included: a department's private notes stay in the department).
public enum NoteAccess {
    public static func canSee(visibility: String?, departmentID: String?, readerDepartmentID: String?) -> Bool {
        guard visibility == NoteVisibility.department.rawValue else { return true }
        guard let departmentID, let readerDepartmentID else { return false }
        return departmentID == readerDepartmentID
    }

    public static func canSee(_ note: Note, readerDepartmentID: String?) -> Bool {
        canSee(visibility: note.visibility.rawValue, departmentID: note.departmentID, readerDepartmentID: readerDepartmentID)
    }
}
