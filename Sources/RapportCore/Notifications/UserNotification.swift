/// What a notification is about.
public enum NotificationKind: String, Sendable, CaseIterable {
    /// Someone mentioned you, your department or a queue you are in.
    case mention
    /// A note on a customer or conversation you follow.
    case noteOnFollowed = "note_on_followed"
    /// The customer wrote (a message, a chat, an email) on a customer or conversation you follow.
    case replyOnFollowed = "reply_on_followed"
    /// A routing rule asked for you (or your department) to be told about a conversation.
    case rule
    /// A task was given to you, your queue or your department.
    case assignment
    /// A task's reminder time came.
    case taskDue = "task_due"
    /// A task passed its due time while still open.
    case taskOverdue = "task_overdue"
    /// A handoff to your department, or an answer to yours.
    case handoff
    /// A handoff's time to answer passed unanswered (to the receiving department's managers and the requester).
    case handoffEscalated = "handoff_escalated"
}

/// One entry in a user's inbox of what concerns them.
public struct UserNotification: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var kind: NotificationKind
    public var customerID: String?
    public var conversationID: String?
    public var noteID: String?
    public var taskID: String?
    public var handoffID: String?
    public var actor: Actor
    public var actorName: String?
    /// How it reached the user: a mention of their department or queue; nil for a direct one.
    public var via: ResolvedMention?
    /// The start of the note's text, Markdown marks taken out.
    public var excerpt: String
    public var createdAt: Timestamp
    public var readAt: Timestamp?

    public init(id: String, userID: String, kind: NotificationKind, customerID: String?, conversationID: String?, noteID: String?,
                taskID: String? = nil, handoffID: String? = nil, actor: Actor, actorName: String?, via: ResolvedMention?, excerpt: String, createdAt: Timestamp,
                readAt: Timestamp?) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.customerID = customerID
        self.conversationID = conversationID
        self.noteID = noteID
        self.taskID = taskID
        self.handoffID = handoffID
        self.actor = actor
        self.actorName = actorName
        self.via = via
        self.excerpt = excerpt
        self.createdAt = createdAt
        self.readAt = readAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["user_id"] = .string(userID)
        object["kind"] = .string(kind.rawValue)
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["conversation_id"] = conversationID.map(JSONValue.string) ?? .null
        object["note_id"] = noteID.map(JSONValue.string) ?? .null
        object["task_id"] = taskID.map(JSONValue.string) ?? .null
        object["handoff_id"] = handoffID.map(JSONValue.string) ?? .null
        object["actor"] = actor.json
        object["actor_name"] = actorName.map(JSONValue.string) ?? .null
        object["via"] = via.map { ["kind": .string($0.kind.rawValue), "id": .string($0.id), "name": .string($0.name)] } ?? .null
        object["excerpt"] = .string(excerpt)
        object["created_at"] = .string(createdAt.rfc3339)
        object["read_at"] = readAt.map { .string($0.rfc3339) } ?? .null
        return .object(object)
    }

    /// The start of a note's text for an inbox line: Markdown marks and mention syntax taken out,
    /// lines joined, at most `limit` characters.
    public static func excerpt(of markdown: String, limit: Int = 200) -> String {
        var text = markdown
        for token in MentionParser.tokens(in: markdown) {
            if case .explicit(_, _, let name) = token.target { text = text.replacing(token.text, with: "@" + name) }
        }
        let plain = text.split(whereSeparator: \.isNewline).map { line -> String in
            var line = Substring(line).drop { $0 == " " }
            while let first = line.first, "#>".contains(first) { line = line.dropFirst().drop { $0 == " " } }
            if line.hasPrefix("- ") || line.hasPrefix("* ") { line = line.dropFirst(2) }
            return String(line)
        }.filter { !$0.hasPrefix("```") }.joined(separator: " ")
        let stripped = String(plain.filter { $0 != "*" && $0 != "`" })
        return stripped.count <= limit ? stripped : String(stripped.prefix(limit - 1)) + "…"
    }
}

/// Which kinds of notification a user wants (all, unless turned off), and whether the unread
/// ones also come by email, as a digest.
public struct NotificationPreferences: Sendable, Equatable {
    public var disabled: Set<NotificationKind>
    public var digest: DigestSchedule

    public init(disabled: Set<NotificationKind> = [], digest: DigestSchedule = DigestSchedule()) {
        self.disabled = disabled
        self.digest = digest
    }

    public func wants(_ kind: NotificationKind) -> Bool { !disabled.contains(kind) }

    public var json: JSONValue {
        var kinds = JSONObject()
        for kind in NotificationKind.allCases { kinds[kind.rawValue] = .bool(wants(kind)) }
        return ["kinds": .object(kinds), "digest": digest.json]
    }

    /// `{"kinds": {"mention": false}, "digest": {"frequency": "daily", "hour": 8}}`; what is left
    /// out (kinds, or the digest) keeps its setting from `current`; one of them is required.
    public static func read(_ value: JSONValue, current: NotificationPreferences) throws(ValidationFailure) -> NotificationPreferences {
        var reader = try InputReader(value)
        var result = current
        if let kinds = reader.value("kinds") {
            if let object = kinds.objectValue {
                for (key, wanted) in object {
                    guard let kind = NotificationKind(rawValue: key) else {
                        reader.fail("kinds.\(key)", "is not a kind of notification (\(NotificationKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                        continue
                    }
                    guard case .bool(let on) = wanted else {
                        reader.fail("kinds.\(key)", "expected true or false, got \(wanted.typeName)")
                        continue
                    }
                    if on { result.disabled.remove(kind) } else { result.disabled.insert(kind) }
                }
            } else {
                reader.fail("kinds", "expected an object of kind: true|false, got \(kinds.typeName)")
            }
        }
        if let digest = reader.value("digest") {
            do throws(ValidationFailure) { result.digest = try DigestSchedule.read(digest, path: "digest") } catch { reader.absorb(error) }
        }
        if reader.object["kinds"] == nil && reader.object["digest"] == nil { reader.fail("kinds", "is required (or digest)") }
        try reader.finish()
        return result
    }
}

/// What a notification about a task, a handoff or a conversation points at.
public struct NotificationSubject: Sendable, Equatable {
    public var customerID: String?
    public var conversationID: String?
    public var taskID: String?
    public var handoffID: String?
    /// The start of the task's title, the handoff's reason, the conversation's subject.
    public var text: String

    public init(customerID: String?, conversationID: String? = nil, taskID: String? = nil, handoffID: String? = nil, text: String) {
        self.customerID = customerID
        self.conversationID = conversationID
        self.taskID = taskID
        self.handoffID = handoffID
        self.text = text
    }
}
