import Foundation

/// A piece of work someone is to do: for a user, a queue or a whole department, maybe about a
/// customer or one of its conversations, with a due time, reminders and a checklist. Named
/// `TaskItem` because `Task` is Swift's own.
public struct TaskItem: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String?
    public var status: TaskStatus
    public var priority: ConversationPriority
    public var assignee: TaskAssignee
    public var customerID: String?
    public var conversationID: String?
    public var dueAt: Timestamp?
    /// When to remind the assignee (once); cleared when the reminder went out.
    public var remindAt: Timestamp?
    /// An RRULE (`FREQ=WEEKLY;BYDAY=MO`): when the task is done, the next one is made, due at the
    /// rule's next occurrence after this one's due time.
    public var recurrence: String?
    public var checklist: [ChecklistItem]
    /// How it came to be: a person, a routing rule (`rule:<id>`), later a process.
    public var source: String
    public var createdBy: Actor
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var completedAt: Timestamp?
    /// Set once the overdue notice went out.
    public var overdueNotifiedAt: Timestamp?
    public var version: Int64

    public init(id: String, title: String, description: String?, status: TaskStatus, priority: ConversationPriority, assignee: TaskAssignee,
                customerID: String?, conversationID: String?, dueAt: Timestamp?, remindAt: Timestamp?, recurrence: String?,
                checklist: [ChecklistItem], source: String, createdBy: Actor, createdAt: Timestamp, updatedAt: Timestamp,
                completedAt: Timestamp?, overdueNotifiedAt: Timestamp?, version: Int64) {
        self.id = id
        self.title = title
        self.description = description
        self.status = status
        self.priority = priority
        self.assignee = assignee
        self.customerID = customerID
        self.conversationID = conversationID
        self.dueAt = dueAt
        self.remindAt = remindAt
        self.recurrence = recurrence
        self.checklist = checklist
        self.source = source
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
        self.overdueNotifiedAt = overdueNotifiedAt
        self.version = version
    }

    /// Open and past its due time at `now`.
    public func isOverdue(at now: Timestamp) -> Bool {
        status == .open && dueAt.map { $0 < now } == true
    }

    public func json(at now: Timestamp) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["title"] = .string(title)
        object["description"] = description.map(JSONValue.string) ?? .null
        object["status"] = .string(status.rawValue)
        object["priority"] = .string(priority.rawValue)
        object["assignee"] = assignee.json
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["conversation_id"] = conversationID.map(JSONValue.string) ?? .null
        object["due_at"] = dueAt.map { .string($0.rfc3339) } ?? .null
        object["remind_at"] = remindAt.map { .string($0.rfc3339) } ?? .null
        object["recurrence"] = recurrence.map(JSONValue.string) ?? .null
        object["checklist"] = .array(checklist.map(\.json))
        object["overdue"] = .bool(isOverdue(at: now))
        object["source"] = .string(source)
        object["created_by"] = createdBy.json
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        object["completed_at"] = completedAt.map { .string($0.rfc3339) } ?? .null
        object["version"] = .integer(version)
        return .object(object)
    }

    public var etag: String { "\"\(id)-v\(version)\"" }

    /// The task that follows this one when it is done and recurs: the same work, due at the
    /// rule's next occurrence; nil when the rule has no further occurrence.
    public func next(id: String, at now: Timestamp) -> TaskItem? {
        guard let recurrence, let due = dueAt, let rule = RecurrenceRule(recurrence) else { return nil }
        if let count = rule.count, count <= 1 { return nil }
        // The first occurrence after this one's due time (the due time itself need not be one:
        // a task due on a Wednesday that repeats on Mondays is next due on the Monday).
        let upcoming = rule.occurrences(from: due, in: TimeZone(identifier: "UTC")!, through: due.adding(.seconds(400 * 86_400)), limit: 3)
        guard let following = upcoming.first(where: { $0 > due }) else { return nil }
        var remaining = rule
        remaining.count = rule.count.map { $0 - 1 }
        var next = self
        next.id = id
        next.status = .open
        next.dueAt = following
        next.remindAt = remindAt.map { following.adding(.microseconds($0.microseconds - due.microseconds)) }
        next.recurrence = remaining.text
        next.checklist = checklist.map { ChecklistItem(text: $0.text, done: false) }
        next.createdAt = now
        next.updatedAt = now
        next.completedAt = nil
        next.overdueNotifiedAt = nil
        next.version = 1
        return next
    }
}

public enum TaskStatus: String, Sendable, CaseIterable {
    case open
    case done
    case cancelled
}

/// Who is to do a task: a person, anyone in a queue, anyone in a department.
public struct TaskAssignee: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case user
        case queue
        case department
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public var json: JSONValue { ["kind": .string(kind.rawValue), "id": .string(id)] }

    /// `{"kind": "queue", "id": "que_…"}`.
    static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> TaskAssignee {
        var reader = try InputReader(value, path: path)
        let kind: Kind? = reader.enumeration("kind", required: true)
        let id = reader.string("id", required: true, maxLength: 64)
        try reader.finish()
        return TaskAssignee(kind: kind!, id: id!)
    }
}

public struct ChecklistItem: Sendable, Equatable {
    public var text: String
    public var done: Bool

    public init(text: String, done: Bool) {
        self.text = text
        self.done = done
    }

    public var json: JSONValue { ["text": .string(text), "done": .bool(done)] }

    public init?(_ value: JSONValue) {
        guard let object = value.objectValue, let text = object["text"]?.stringValue else { return nil }
        self.init(text: text, done: object["done"]?.boolValue ?? false)
    }
}
