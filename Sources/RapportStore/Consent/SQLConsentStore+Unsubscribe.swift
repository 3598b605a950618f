import RapportCore
import SQLKit

extension SQLConsentStore {
    public func issueUnsubscribeLink(customerID: String, channel: String, purpose: MessagePurpose, mailID: String,
                                     in tx: WriteTransaction) async throws -> String {
        let token = Self.newToken()
        try await tx.execute("""
            INSERT INTO unsubscribe_links (token, customer_id, channel, purpose, mail_id, created_at)
            VALUES (\(bind: token), \(bind: customerID), \(bind: channel), \(bind: purpose.rawValue), \(bind: mailID), \(bind: tx.now().microseconds))
            """)
        return token
    }

    public func unsubscribeLink(_ token: String) async throws -> UnsubscribeLink? {
        guard Self.isToken(token) else { return nil }
        return try await read { database in
            try await database.raw("\(Self.columns) WHERE token = \(bind: token)").first().map(Self.decode)
        }
    }

    public func unsubscribe(_ token: String, in tx: WriteTransaction) async throws -> UnsubscribeLink {
        guard Self.isToken(token), var link = try await tx.firstRow("\(Self.columns) WHERE token = \(bind: token)").map(Self.decode) else {
            throw StoreError.notFound("unsubscribe link", String(token.prefix(8)) + "…")
        }
        if link.usedAt != nil { return link }
        guard let type = try await store.recordTypes.recordType(ConsentLedger.recordType, in: tx) else {
            throw StoreError(.conflict, "no consent record type holds consent any more (the marketing template's `consent`)")
        }
        let now = tx.now()
        let fields: JSONObject = ["channel": .string(link.channel), "purpose": .string(link.purpose), "status": "withdrawn",
                                  "given_at": .string(now.rfc3339), "source": .string("one-click unsubscribe in mail \(link.mailID)")]
        let record = try await store.records.createRecord(of: type, RecordDraft(customerID: link.customerID, fields: fields),
                                                         actor: Actor(kind: .system, id: "unsubscribe"), in: tx)
        try await tx.execute("""
            UPDATE unsubscribe_links SET used_at = \(bind: now.microseconds), consent_record_id = \(bind: record.id) WHERE token = \(bind: token)
            """)
        link.usedAt = now
        link.consentRecordID = record.id
        return link
    }

    static let columns: SQLQueryString = "SELECT customer_id, channel, purpose, mail_id, used_at, consent_record_id FROM unsubscribe_links"

    static func decode(_ row: any SQLRow) throws -> UnsubscribeLink {
        UnsubscribeLink(customerID: try row.string("customer_id"), channel: try row.string("channel"), purpose: try row.string("purpose"),
                        mailID: try row.string("mail_id"), usedAt: try row.optionalTimestamp("used_at"),
                        consentRecordID: try row.optionalString("consent_record_id"))
    }

    /// 256 random bits in lowercase hex: the link's only credential.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    static func isToken(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
