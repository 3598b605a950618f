/// A new task as `POST /v1/tasks` takes it (and a routing rule's `create_task` action makes it).
public struct TaskDraft: Sendable, Equatable {
    public var title: String
    public var description: String?
    public var priority: ConversationPriority
    /// Nil: the one who creates it (a person), or the conversation's assignee/queue/department (a rule).
    public var assignee: TaskAssignee?
    public var customerID: String?
    public var conversationID: String?
    public var dueAt: Timestamp?
    public var remindAt: Timestamp?
    public var recurrence: String?
    public var checklist: [ChecklistItem]

    public init(title: String, description: String? = nil, priority: ConversationPriority = .normal, assignee: TaskAssignee? = nil,
                customerID: String? = nil, conversationID: String? = nil, dueAt: Timestamp? = nil, remindAt: Timestamp? = nil,
                recurrence: String? = nil, checklist: [ChecklistItem] = []) {
        self.title = title
        self.description = description
        self.priority = priority
        self.assignee = assignee
        self.customerID = customerID
        self.conversationID = conversationID
        self.dueAt = dueAt
        self.remindAt = remindAt
        self.recurrence = recurrence
        self.checklist = checklist
    }

    public static let maxChecklistItems = 50

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> TaskDraft {
        var reader = try InputReader(value)
        let title = reader.string("title", required: true, maxLength: 300) ?? ""
        let description = reader.string("description", maxLength: 10_000)
        let priority: ConversationPriority = reader.enumeration("priority") ?? .normal
        var assignee: TaskAssignee?
        if let raw = reader.value("assignee"), !raw.isNull {
            do throws(ValidationFailure) { assignee = try TaskAssignee.read(raw, path: "assignee") } catch { reader.absorb(error) }
        }
        let customerID = reader.string("customer_id", maxLength: 64)
        let conversationID = reader.string("conversation_id", maxLength: 64)
        let dueAt = reader.timestamp("due_at")
        let remindAt = reader.timestamp("remind_at")
        let recurrence = readRecurrence(&reader)
        if recurrence != nil, dueAt == nil { reader.fail("recurrence", "a recurring task needs due_at: the first occurrence") }
        let checklist = readChecklist(&reader)
        try reader.finish()
        return TaskDraft(title: title, description: description, priority: priority, assignee: assignee, customerID: customerID,
                         conversationID: conversationID, dueAt: dueAt, remindAt: remindAt, recurrence: recurrence, checklist: checklist)
    }

    static func readRecurrence(_ reader: inout InputReader) -> String? {
        guard let text = reader.string("recurrence", maxLength: 200) else { return nil }
        guard let rule = RecurrenceRule(text) else {
            reader.fail("recurrence", "expected an RRULE such as FREQ=WEEKLY;BYDAY=MO or FREQ=DAILY;INTERVAL=2;COUNT=5")
            return nil
        }
        return rule.text
    }

    static func readChecklist(_ reader: inout InputReader) -> [ChecklistItem] {
        guard let raw = reader.value("checklist"), !raw.isNull else { return [] }
        guard case .array(let items) = raw, items.count <= maxChecklistItems else {
            reader.fail("checklist", "expected a list of at most \(maxChecklistItems) items")
            return []
        }
        var checklist: [ChecklistItem] = []
        for (index, item) in items.enumerated() {
            do throws(ValidationFailure) {
                var entry = try InputReader(item, path: "checklist[\(index)]")
                let text = entry.string("text", required: true, maxLength: 500)
                let done = entry.bool("done") ?? false
                try entry.finish()
                if let text { checklist.append(ChecklistItem(text: text, done: done)) }
            } catch {
                reader.absorb(error)
            }
        }
        return checklist
    }
}

/// Changes to a task, as `PATCH /v1/tasks/{id}` takes them (null clears an optional field).
public struct TaskChanges: Sendable, Equatable {
    public var title: String?
    public var description: PatchValue<String> = .unchanged
    public var status: TaskStatus?
    public var priority: ConversationPriority?
    public var assignee: TaskAssignee?
    public var dueAt: PatchValue<Timestamp> = .unchanged
    public var remindAt: PatchValue<Timestamp> = .unchanged
    public var recurrence: PatchValue<String> = .unchanged
    public var checklist: [ChecklistItem]?

    public init() {}

    public var isEmpty: Bool { self == TaskChanges() }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> TaskChanges {
        var reader = try InputReader(value)
        var changes = TaskChanges()
        changes.title = reader.string("title", maxLength: 300)
        changes.description = reader.patchString("description", maxLength: 10_000)
        changes.status = reader.enumeration("status")
        changes.priority = reader.enumeration("priority")
        if let raw = reader.value("assignee") {
            if raw.isNull { reader.fail("assignee", "a task is always someone's: name a user, queue or department") }
            else { do throws(ValidationFailure) { changes.assignee = try TaskAssignee.read(raw, path: "assignee") } catch { reader.absorb(error) } }
        }
        changes.dueAt = patchTimestamp(&reader, "due_at")
        changes.remindAt = patchTimestamp(&reader, "remind_at")
        if reader.object["recurrence"] == .null {
            _ = reader.value("recurrence")
            changes.recurrence = .clear
        } else if let rule = TaskDraft.readRecurrence(&reader) {
            changes.recurrence = .set(rule)
        }
        if reader.object["checklist"] != nil { changes.checklist = TaskDraft.readChecklist(&reader) }
        try reader.finish()
        return changes
    }

    private static func patchTimestamp(_ reader: inout InputReader, _ key: String) -> PatchValue<Timestamp> {
        if reader.object[key] == .null {
            _ = reader.value(key)
            return .clear
        }
        return reader.timestamp(key).map(PatchValue.set) ?? .unchanged
    }
}

/// What a routing rule's `create_task` action asks for: a task about the conversation, due a
/// while after the message that matched, for the conversation's assignee unless it names one.
public struct TaskTemplate: Sendable, Equatable {
    public var title: String
    public var description: String?
    public var priority: ConversationPriority?
    /// `usr_…`, `queue:<id>` or `department:<key or id>`; nil: the conversation's assignee, queue or department.
    public var assignee: String?
    /// Minutes after the message that the task is due; nil: no due time.
    public var dueInMinutes: Int?
    /// The rule that asked for the task, once a rule book has applied it (not part of the rule's definition).
    public var ruleID: String?

    public init(title: String, description: String? = nil, priority: ConversationPriority? = nil, assignee: String? = nil, dueInMinutes: Int? = nil) {
        self.title = title
        self.description = description
        self.priority = priority
        self.assignee = assignee
        self.dueInMinutes = dueInMinutes
    }

    public var json: JSONValue {
        var object: JSONObject = ["title": .string(title)]
        if let description { object["description"] = .string(description) }
        if let priority { object["priority"] = .string(priority.rawValue) }
        if let assignee { object["assignee"] = .string(assignee) }
        if let dueInMinutes { object["due_in_minutes"] = .integer(Int64(dueInMinutes)) }
        return .object(object)
    }

    static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> TaskTemplate {
        var reader = try InputReader(value, path: path)
        let title = reader.string("title", required: true, maxLength: 300)
        let description = reader.string("description", maxLength: 2_000)
        let priority: ConversationPriority? = reader.enumeration("priority")
        let assignee = reader.string("assignee", maxLength: 100)
        if let assignee, !(assignee.hasScalarPrefix("usr_") || assignee.hasScalarPrefix("queue:") || assignee.hasScalarPrefix("department:")) {
            reader.fail("assignee", "expected a user id (usr_…), queue:<id> or department:<key>")
        }
        let due = reader.integer("due_in_minutes", in: 1...525_600, message: "expected minutes from 1 to 525600 (a year)")
        try reader.finish()
        return TaskTemplate(title: title ?? "", description: description, priority: priority, assignee: assignee, dueInMinutes: due.map(Int.init))
    }
}
