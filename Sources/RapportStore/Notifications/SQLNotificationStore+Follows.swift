import RapportCore
import SQLKit

extension SQLNotificationStore {
    public func preferences(of userID: String) async throws -> NotificationPreferences {
        try await read { database in
            try await database.raw("SELECT disabled, digest FROM notification_preferences WHERE user_id = \(bind: userID)").first()
                .map(Self.preferences) ?? NotificationPreferences()
        }
    }

    public func preferences(of userIDs: [String], in tx: WriteTransaction) async throws -> [String: NotificationPreferences] {
        guard !userIDs.isEmpty else { return [:] }
        var result: [String: NotificationPreferences] = [:]
        for chunk in stride(from: 0, to: userIDs.count, by: 500) {
            let slice = Array(userIDs[chunk..<min(chunk + 500, userIDs.count)])
            for row in try await tx.rows("SELECT user_id, disabled, digest FROM notification_preferences WHERE user_id IN (\(binds: slice))") {
                result[try row.string("user_id")] = try Self.preferences(row)
            }
        }
        return result
    }

    public func setPreferences(_ preferences: NotificationPreferences, of userID: String, in tx: WriteTransaction) async throws {
        let before = try await tx.firstRow("SELECT digest FROM notification_preferences WHERE user_id = \(bind: userID)")
            .map { DigestSchedule.stored(try $0.optionalString("digest")) } ?? DigestSchedule()
        let disabled = preferences.disabled.map(\.rawValue).sorted().jsonText
        let now = tx.now().microseconds
        try await tx.execute("""
            INSERT INTO notification_preferences (user_id, disabled, digest, updated_at)
            VALUES (\(bind: userID), \(bind: disabled), \(bind: preferences.digest.json.jsonString), \(bind: now))
            ON CONFLICT (user_id) DO UPDATE SET disabled = excluded.disabled, digest = excluded.digest, updated_at = excluded.updated_at
            """)
        // Digests turned on count from now: the first brings what arrives after it, not the past.
        if before.frequency == .off, preferences.digest.frequency != .off {
            try await tx.execute("""
                INSERT INTO notification_digests (user_id, covered_until, last_mail_id, updated_at) VALUES (\(bind: userID), \(bind: now), NULL, \(bind: now))
                ON CONFLICT (user_id) DO UPDATE SET covered_until = excluded.covered_until, updated_at = excluded.updated_at
                """)
        }
    }

    private static func preferences(_ row: any SQLRow) throws -> NotificationPreferences {
        NotificationPreferences(disabled: Set(try row.stringList("disabled").compactMap(NotificationKind.init(rawValue:))),
                                digest: DigestSchedule.stored(try row.optionalString("digest")))
    }

    public func followers(ofCustomer customerID: String, conversationID: String?, in tx: WriteTransaction) async throws -> [String] {
        var query: SQLQueryString = """
            SELECT DISTINCT f.user_id FROM follows f JOIN users u ON u.id = f.user_id
            WHERE f.customer_id = \(bind: customerID) AND u.active = 1 AND (f.conversation_id IS NULL
            """
        query += conversationID.map { " OR f.conversation_id = \(bind: $0))" } ?? ")"
        query += " ORDER BY f.user_id"
        return try await tx.rows(query).map { try $0.string("user_id") }
    }

    public func follows(ofCustomers customerIDs: Set<String>, in tx: WriteTransaction) async throws -> CustomerFollows {
        var follows: [(userID: String, customerID: String, conversationID: String?)] = []
        let ids = Array(customerIDs)
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = StatementShape.padded(ids[chunk..<min(chunk + 500, ids.count)])
            for row in try await tx.rows("""
                SELECT DISTINCT f.user_id, f.customer_id, f.conversation_id FROM follows f JOIN users u ON u.id = f.user_id
                WHERE f.customer_id IN (\(binds: part)) AND u.active = 1
                """) {
                follows.append((try row.string("user_id"), try row.string("customer_id"), try row.optionalString("conversation_id")))
            }
        }
        return CustomerFollows(customerIDs: customerIDs, follows: follows)
    }

    public func follow(userID: String, customerID: String, conversationID: String?,
                       in tx: WriteTransaction) async throws -> (follow: Follow, created: Bool) {
        var query: SQLQueryString = "SELECT id, user_id, customer_id, conversation_id, created_at FROM follows WHERE user_id = \(bind: userID)"
        query += " AND customer_id = \(bind: customerID)"
        query += conversationID.map { " AND conversation_id = \(bind: $0)" } ?? " AND conversation_id IS NULL"
        if let row = try await tx.firstRow(query) { return (try Self.follow(row), false) }
        let follow = Follow(id: tx.newID("fol"), userID: userID, customerID: customerID, conversationID: conversationID, createdAt: tx.now())
        try await tx.execute("""
            INSERT INTO follows (id, user_id, customer_id, conversation_id, created_at)
            VALUES (\(bind: follow.id), \(bind: userID), \(bind: customerID), \(bind: conversationID), \(bind: follow.createdAt.microseconds))
            """)
        return (follow, true)
    }

    public func unfollow(_ id: String, userID: String, in tx: WriteTransaction) async throws -> Bool {
        guard try await tx.firstRow("SELECT id FROM follows WHERE id = \(bind: id) AND user_id = \(bind: userID)") != nil else { return false }
        try await tx.execute("DELETE FROM follows WHERE id = \(bind: id)")
        return true
    }

    public func follows(of userID: String, customerID: String?, conversationID: String?, limit: Int, cursor: String?) async throws -> Page<Follow> {
        var query: SQLQueryString = "SELECT id, user_id, customer_id, conversation_id, created_at FROM follows WHERE user_id = \(bind: userID)"
        if let customerID { query += " AND customer_id = \(bind: customerID)" }
        if let conversationID { query += " AND conversation_id = \(bind: conversationID)" }
        if let cursor { query += " AND id > \(bind: try ListCursor.decode(cursor))" }
        query += " ORDER BY id LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().map(Self.follow) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    public func followers(customerID: String, conversationID: String?, in tx: WriteTransaction) async throws -> [String] {
        var query: SQLQueryString = "SELECT DISTINCT user_id FROM follows WHERE customer_id = \(bind: customerID)"
        query += conversationID.map { " AND (conversation_id IS NULL OR conversation_id = \(bind: $0))" } ?? " AND conversation_id IS NULL"
        query += " ORDER BY user_id"
        return try await tx.rows(query).map { try $0.string("user_id") }
    }

    private static func follow(_ row: any SQLRow) throws -> Follow {
        Follow(id: try row.string("id"), userID: try row.string("user_id"), customerID: try row.string("customer_id"),
               conversationID: try row.optionalString("conversation_id"), createdAt: try row.timestamp("created_at"))
    }
}
