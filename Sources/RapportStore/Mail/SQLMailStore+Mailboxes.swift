import RapportCore
import SQLKit

/// How far a channel has read its IMAP mailbox.
public struct MailboxPosition: Sendable, Equatable {
    public var uidValidity: UInt32
    public var lastUID: UInt32
    /// Messages stored from the mailbox so far.
    public var fetched: Int
    public var lastFetchAt: Timestamp?
    public var lastError: String?

    public init(uidValidity: UInt32, lastUID: UInt32, fetched: Int, lastFetchAt: Timestamp?, lastError: String?) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.fetched = fetched
        self.lastFetchAt = lastFetchAt
        self.lastError = lastError
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["uid_validity"] = .integer(Int64(uidValidity))
        object["last_uid"] = .integer(Int64(lastUID))
        object["fetched"] = .integer(Int64(fetched))
        object["last_fetch_at"] = lastFetchAt.map { .string($0.rfc3339) } ?? .null
        object["last_error"] = lastError.map(JSONValue.string) ?? .null
        return .object(object)
    }
}

extension SQLMailStore {
    public func mailboxPosition(of channelID: String) async throws -> MailboxPosition? {
        try await read { database in
            try await database.raw("SELECT * FROM mailbox_positions WHERE channel_id = \(bind: channelID)").first().map { row in
                MailboxPosition(uidValidity: UInt32(truncatingIfNeeded: try row.int64("uid_validity")),
                                lastUID: UInt32(truncatingIfNeeded: try row.int64("last_uid")), fetched: Int(try row.int64("fetched")),
                                lastFetchAt: try row.optionalTimestamp("last_fetch_at"), lastError: try row.optionalString("last_error"))
            }
        }
    }

    public func saveMailboxPosition(of channelID: String, uidValidity: UInt32, lastUID: UInt32, added: Int,
                                    in tx: WriteTransaction) async throws {
        let now = tx.now().microseconds
        try await tx.execute("""
            INSERT INTO mailbox_positions (channel_id, uid_validity, last_uid, fetched, last_fetch_at, last_error, updated_at)
            VALUES (\(bind: channelID), \(bind: Int64(uidValidity)), \(bind: Int64(lastUID)), \(bind: Int64(added)), \(bind: now), NULL, \(bind: now))
            ON CONFLICT (channel_id) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
                fetched = mailbox_positions.fetched + excluded.fetched, last_fetch_at = excluded.last_fetch_at, last_error = NULL,
                updated_at = excluded.updated_at
            """)
    }

    public func recordMailboxError(of channelID: String, _ error: String, in tx: WriteTransaction) async throws {
        // A mailbox never opened has no position yet: its error is kept on an empty one.
        let now = tx.now().microseconds
        try await tx.execute("""
            INSERT INTO mailbox_positions (channel_id, uid_validity, last_uid, fetched, last_fetch_at, last_error, updated_at)
            VALUES (\(bind: channelID), 0, 0, 0, NULL, \(bind: String(error.prefix(500))), \(bind: now))
            ON CONFLICT (channel_id) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at
            """)
    }
}
