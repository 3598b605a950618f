import RapportCore
import SQLKit

extension SQLOrganizationStore {
    public func insertChannel(kind: ChannelKind, name: String, settings: JSONObject, actor: Actor,
                              in tx: WriteTransaction) async throws -> Channel {
        let now = tx.now()
        let channel = Channel(id: tx.newID("chn"), kind: kind, name: name, settings: settings, createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO channels (id, kind, name, settings, created_at, updated_at)
            VALUES (\(bind: channel.id), \(bind: kind.rawValue), \(bind: name), \(bind: JSONValue.object(settings).jsonString),
                    \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        tx.append(.change("channel", "created", subject: channel.id, record: channel.json,
                       changedFields: ["kind", "name", "settings"], actor: actor))
        return channel
    }

    public func updateChannel(id: String, changes: ChannelChanges, actor: Actor, in tx: WriteTransaction) async throws -> Channel {
        guard let current = try await ChannelRows.find(id: id, on: tx.database) else { throw StoreError.notFound("channel", id) }
        var next = current
        var changed: [String] = []
        if let kind = changes.kind, kind != current.kind { next.kind = kind; changed.append("kind") }
        if let name = changes.name, name != current.name { next.name = name; changed.append("name") }
        if let given = changes.settings {
            let settings = ChannelSecrets.keeping(given, from: current.settings)
            if settings != current.settings { next.settings = settings; changed.append("settings") }
        }
        guard !changed.isEmpty else { return current }
        next.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE channels SET kind = \(bind: next.kind.rawValue), name = \(bind: next.name),
            settings = \(bind: JSONValue.object(next.settings).jsonString), updated_at = \(bind: next.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        tx.append(.change("channel", "updated", subject: id, record: next.json, changedFields: changed, actor: actor))
        return next
    }

    public func deleteChannel(id: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard let current = try await ChannelRows.find(id: id, on: tx.database) else { throw StoreError.notFound("channel", id) }
        // What came in or went out on the channel stays with it: such a channel is kept.
        for table in ["interactions", "conversations", "mail_messages", "calls", "meetings"] {
            if try await tx.firstRow("SELECT channel_id FROM \(unsafeRaw: table) WHERE channel_id = \(bind: id) LIMIT 1") != nil {
                throw StoreError(.conflict, "channel \(id) has \(table.replacingOccurrences(of: "_", with: " ")) and cannot be deleted")
            }
        }
        // Its own state goes with it: how far its mailbox was read.
        try await tx.execute("DELETE FROM mailbox_positions WHERE channel_id = \(bind: id)")
        try await tx.execute("DELETE FROM channels WHERE id = \(bind: id)")
        tx.memo.knownChannels.remove(id)
        tx.append(.change("channel", "deleted", subject: id, record: current.json, changedFields: [], actor: actor))
    }
}

extension SQLOrganizationStore {
    public func channels() async throws -> [Channel] {
        try await read { database in
            try await database.raw("SELECT * FROM channels ORDER BY id").all().map(ChannelRows.decode)
        }
    }

    public func channel(_ id: String) async throws -> Channel? {
        try await read { try await ChannelRows.find(id: id, on: $0) }
    }
}

enum ChannelRows {
    static func find(id: String, on database: any SQLDatabase) async throws -> Channel? {
        try await database.raw("SELECT * FROM channels WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> Channel {
        Channel(id: try row.string("id"), kind: try storedEnum(try row.string("kind")), name: try row.string("name"),
                settings: try row.jsonObject("settings"),
                createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
