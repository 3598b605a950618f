import RapportCore
import SQLKit

extension SQLNotificationStore {
    public func notify(_ recipients: [NotificationFanout.Recipient], about note: Note, in tx: WriteTransaction) async throws {
        guard !recipients.isEmpty else { return }
        let time = tx.now()
        let excerpt = UserNotification.excerpt(of: note.body)
        try await insert(recipients.map { recipient in
            UserNotification(
                id: tx.newID("ntf"), userID: recipient.userID, kind: recipient.kind, customerID: note.customerID,
                conversationID: note.conversationID, noteID: note.id, actor: note.author, actorName: note.authorName,
                via: recipient.via, excerpt: excerpt, createdAt: time, readAt: nil)
        }, in: tx)
    }

    public func deliver(_ notifications: [UserNotification], in tx: WriteTransaction) async throws {
        guard !notifications.isEmpty else { return }
        let preferences = try await self.preferences(of: Array(Set(notifications.map(\.userID))), in: tx)
        try await insert(notifications.filter { preferences[$0.userID]?.wants($0.kind) ?? true }, in: tx)
    }

    public func users(reachedBy targets: [String], in tx: WriteTransaction) async throws -> [String] {
        var users: [String] = []
        for target in targets {
            let query: SQLQueryString
            if target.hasPrefix("department:") {
                let department = String(target.dropFirst("department:".count))
                query = """
                    SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id
                    WHERE u.active = 1 AND (d.key = \(bind: department) OR d.id = \(bind: department)) ORDER BY u.id
                    """
            } else if target.hasPrefix("queue:") {
                let queue = String(target.dropFirst("queue:".count))
                query = """
                    SELECT u.id FROM users u JOIN queue_members m ON m.user_id = u.id
                    WHERE u.active = 1 AND m.queue_id = \(bind: queue) ORDER BY m.position
                    """
            } else {
                query = "SELECT id FROM users WHERE active = 1 AND id = \(bind: target)"
            }
            for row in try await tx.rows(query) {
                let id = try row.string("id")
                if !users.contains(id) { users.append(id) }
            }
        }
        return users
    }

    private func insert(_ notifications: [UserNotification], in tx: WriteTransaction) async throws {
        for notification in notifications {
            try await tx.execute("""
                INSERT INTO notifications (id, user_id, kind, customer_id, record, created_at, read_at)
                VALUES (\(bind: notification.id), \(bind: notification.userID), \(bind: notification.kind.rawValue),
                        \(bind: notification.customerID), \(bind: notification.json.jsonString),
                        \(bind: notification.createdAt.microseconds), NULL)
                """)
            tx.append(.change("notification", "created", subject: notification.userID, record: notification.json, changedFields: [],
                              actor: notification.actor))
        }
    }

    public func notifications(of userID: String, unreadOnly: Bool, limit: Int, cursor: String?) async throws -> Page<UserNotification> {
        var query: SQLQueryString = "SELECT id, customer_id, record, read_at FROM notifications WHERE user_id = \(bind: userID)"
        if unreadOnly { query += " AND read_at IS NULL" }
        if let cursor { query += " AND id < \(bind: try ListCursor.decode(cursor))" }
        query += " ORDER BY id DESC LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().compactMap(Self.decode) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    public func unreadCount(of userID: String) async throws -> Int {
        try await read { database in
            try await database.raw("SELECT COUNT(*) AS unread FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL")
                .first().map { Int(try $0.int64("unread")) } ?? 0
        }
    }

    public func markRead(_ id: String, userID: String, in tx: WriteTransaction) async throws -> UserNotification? {
        guard let row = try await tx.firstRow("""
            SELECT id, customer_id, record, read_at FROM notifications WHERE id = \(bind: id) AND user_id = \(bind: userID)
            """), var notification = try Self.decode(row) else { return nil }
        guard notification.readAt == nil else { return notification }
        let time = tx.now()
        try await tx.execute("UPDATE notifications SET read_at = \(bind: time.microseconds) WHERE id = \(bind: id)")
        notification.readAt = time
        tx.append(.change("notification", "read", subject: userID, record: ["id": .string(id), "user_id": .string(userID)],
                          changedFields: ["read_at"], actor: Actor(kind: .user, id: userID)))
        return notification
    }

    public func markAllRead(userID: String, in tx: WriteTransaction) async throws -> Int {
        let unread = try await tx.firstRow("SELECT COUNT(*) AS unread FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL")
            .map { Int(try $0.int64("unread")) } ?? 0
        guard unread > 0 else { return 0 }
        try await tx.execute("""
            UPDATE notifications SET read_at = \(bind: tx.now().microseconds) WHERE user_id = \(bind: userID) AND read_at IS NULL
            """)
        tx.append(.change("notification", "read", subject: userID, record: ["id": .null, "user_id": .string(userID)],
                          changedFields: ["read_at"], actor: Actor(kind: .user, id: userID)))
        return unread
    }

    /// A stored notification; its customer is the column's (a merge moves it to the survivor).
    static func decode(_ row: any SQLRow) throws -> UserNotification? {
        let record = try row.jsonObject("record")
        guard let id = record["id"]?.stringValue, let userID = record["user_id"]?.stringValue,
              let kind = record["kind"]?.stringValue.flatMap(NotificationKind.init(rawValue:)) else { return nil }
        let actorObject = record["actor"]?.objectValue
        let actor = Actor(kind: actorObject?["type"]?.stringValue.flatMap(Actor.Kind.init(rawValue:)) ?? .system,
                          id: actorObject?["id"]?.stringValue)
        let via = record["via"].flatMap { value -> ResolvedMention? in
            guard let object = value.objectValue, let kind = object["kind"]?.stringValue.flatMap(MentionKind.init(rawValue:)),
                  let viaID = object["id"]?.stringValue, let name = object["name"]?.stringValue else { return nil }
            return ResolvedMention(kind: kind, id: viaID, name: name, text: "")
        }
        return UserNotification(
            id: id, userID: userID, kind: kind, customerID: try row.optionalString("customer_id"),
            conversationID: record["conversation_id"]?.stringValue, noteID: record["note_id"]?.stringValue,
            taskID: record["task_id"]?.stringValue, handoffID: record["handoff_id"]?.stringValue, actor: actor,
            actorName: record["actor_name"]?.stringValue, via: via, excerpt: record["excerpt"]?.stringValue ?? "",
            createdAt: record["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp(microseconds: 0),
            readAt: try row.optionalTimestamp("read_at"))
    }
}

extension SQLNotificationStore {
    public func notify(_ users: [String], kind: NotificationKind, about subject: NotificationSubject, actor: Actor?, via: ResolvedMention? = nil,
                in tx: WriteTransaction) async throws {
        let recipients = users.filter { !(actor?.kind == .user && actor?.id == $0) }
        guard !recipients.isEmpty else { return }
        let time = tx.now()
        var actorName: String?
        if let actor, actor.kind == .user, let id = actor.id {
            actorName = try await tx.firstRow("SELECT name FROM users WHERE id = \(bind: id)").map { try $0.string("name") }
        }
        try await deliver(recipients.map { userID in
            UserNotification(id: tx.newID("ntf"), userID: userID, kind: kind, customerID: subject.customerID, conversationID: subject.conversationID,
                             noteID: nil, taskID: subject.taskID, handoffID: subject.handoffID, actor: actor ?? .system, actorName: actorName,
                             via: via, excerpt: String(subject.text.prefix(200)), createdAt: time, readAt: nil)
        }, in: tx)
    }
}
