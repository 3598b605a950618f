import NIOCore
import RapportCore
import SQLKit

extension SQLMailOutboxStore {
    public func leaseDueMail(owner: String, until: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> [QueuedMail] {
        let now = tx.now()
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        // A node died while it handed these over: the relay may have them, so they are not sent again.
        let stranded = try await tx.rows("""
            SELECT id FROM mail_outbox WHERE status IN ('queued', 'deferred') AND handing_over_at IS NOT NULL
                AND lease_until < \(bind: now.microseconds)
            """ + skipLocked).map { try $0.string("id") }
        if !stranded.isEmpty {
            let note = "the sender stopped after handing the message's end to the relay, before its answer; not sent again, so never twice"
            try await recordMailOutcomes(stranded.map { MailAttemptOutcome(mailID: $0, status: .unconfirmed, nextAttempt: nil, note: note,
                                                                            undeliverable: []) }, owner: nil, in: tx)
        }
        let due = try await tx.rows("""
            SELECT id FROM mail_outbox WHERE status IN ('queued', 'deferred') AND next_attempt_at <= \(bind: now.microseconds)
                AND (lease_until IS NULL OR lease_until < \(bind: now.microseconds)) AND handing_over_at IS NULL
            ORDER BY next_attempt_at, id LIMIT \(bind: limit)
            """ + skipLocked).map { try $0.string("id") }
        guard !due.isEmpty else { return [] }
        try await tx.execute("""
            UPDATE mail_outbox SET lease_owner = \(bind: owner), lease_until = \(bind: until.microseconds) WHERE id IN (\(binds: due))
            """)
        return try await tx.rows("""
            SELECT o.id, o.envelope_from, o.recipients, o.attempts, m.raw FROM mail_outbox o JOIN mail_messages m ON m.id = o.id
            WHERE o.id IN (\(binds: due)) ORDER BY o.next_attempt_at, o.id
            """).map { row in
            QueuedMail(mailID: try row.string("id"), raw: Array(try row.decode(column: "raw", as: ByteBuffer.self).readableBytesView),
                       envelopeFrom: try row.string("envelope_from"), recipients: try row.stringList("recipients"),
                       attempts: Int(try row.int64("attempts")))
        }
    }

    public func markHandingOver(_ mailID: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("SELECT lease_owner, status FROM mail_outbox WHERE id = \(bind: mailID)" + lock),
              try row.optionalString("lease_owner") == owner,
              MailDeliveryStatus(rawValue: try row.string("status"))?.isWaiting == true else {
            throw StoreError(.conflict, "mail \(mailID) is no longer leased to \(owner)")
        }
        try await tx.execute("""
            UPDATE mail_outbox SET handing_over_at = \(bind: tx.now().microseconds), lease_until = \(bind: until.microseconds)
            WHERE id = \(bind: mailID)
            """)
    }

    public func renewMailLease(_ mailID: String, owner: String, until: Timestamp, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            UPDATE mail_outbox SET lease_until = \(bind: until.microseconds)
            WHERE id = \(bind: mailID) AND lease_owner = \(bind: owner) AND status IN ('queued', 'deferred')
            """)
    }

    public func recordMailOutcomes(_ outcomes: [MailAttemptOutcome], owner: String?, in tx: WriteTransaction) async throws {
        var held = outcomes
        if let owner, !outcomes.isEmpty {
            // A node that lost its lease records nothing: the message is another node's now.
            let leased = Set(try await tx.rows("""
                SELECT id FROM mail_outbox WHERE id IN (\(binds: outcomes.map(\.mailID))) AND lease_owner = \(bind: owner)
                """).map { try $0.string("id") })
            held = outcomes.filter { leased.contains($0.mailID) }
        }
        try await record(held, countingAttempts: true, in: tx)
    }

    /// Records outcomes; a delivery report that comes back later is no attempt of Rapport's.
    private func record(_ outcomes: [MailAttemptOutcome], countingAttempts: Bool, in tx: WriteTransaction) async throws {
        guard !outcomes.isEmpty else { return }
        let now = tx.now().microseconds
        let added: Int64 = countingAttempts ? 1 : 0
        for outcome in outcomes {
            let sentAt: Int64? = outcome.status == .sent ? now : nil
            try await tx.execute("""
                UPDATE mail_outbox SET status = \(bind: outcome.status.rawValue), attempts = attempts + \(bind: added),
                    next_attempt_at = \(bind: outcome.nextAttempt?.microseconds), lease_owner = NULL, lease_until = NULL,
                    handing_over_at = NULL, last_note = \(bind: outcome.note), sent_at = COALESCE(\(bind: sentAt), sent_at),
                    updated_at = \(bind: now)
                WHERE id = \(bind: outcome.mailID)
                """)
        }
        let bad = outcomes.flatMap { outcome in outcome.undeliverable.map { (address: $0.address.lowercased(), reason: "\($0.code) \($0.reply)", mailID: outcome.mailID) } }
        try await markUndeliverable(bad, in: tx)
        for (record, delivery) in try await deliveries(outcomes.map(\.mailID), in: tx) {
            var event = Self.eventRecord(record).objectValue ?? JSONObject()
            event["delivery"] = delivery.json
            let undeliverable = bad.filter { $0.mailID == record.id }.map(\.address)
            if !undeliverable.isEmpty { event["undeliverable"] = .array(undeliverable.map(JSONValue.string)) }
            tx.append(.change("mail", delivery.status.rawValue, subject: record.customerID ?? record.id, record: .object(event),
                              changedFields: ["delivery"], actor: .system, channelID: record.channelID))
        }
    }

    public func resendMail(_ mailID: String, actor: Actor, in tx: WriteTransaction) async throws -> MailRecord {
        guard let row = try await tx.firstRow("SELECT status FROM mail_outbox WHERE id = \(bind: mailID)") else {
            throw StoreError.notFound("outgoing mail", mailID)
        }
        let status = MailDeliveryStatus(rawValue: try row.string("status")) ?? .failed
        guard [.unconfirmed, .failed, .bounced].contains(status) else {
            throw StoreError(.conflict, "mail \(mailID) is \(status.rawValue); only an unconfirmed, failed or bounced message is sent again")
        }
        let now = tx.now().microseconds
        try await tx.execute("""
            UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = \(bind: now), lease_owner = NULL, lease_until = NULL,
                handing_over_at = NULL, last_note = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: mailID)
            """)
        guard let record = try await MailRows.record(mailID, on: tx.database) else { throw StoreError.notFound("outgoing mail", mailID) }
        tx.append(.change("mail", "queued", subject: record.customerID ?? record.id, record: Self.eventRecord(record),
                          changedFields: ["delivery"], actor: actor, channelID: record.channelID))
        return record
    }

    public func applyDeliveryReport(_ report: DeliveryReport, channelID: String, in tx: WriteTransaction) async throws {
        let failed = report.failedRecipients
        guard !failed.isEmpty else { return }
        var mailID: String?
        if let original = report.originalMessageID {
            mailID = try await tx.firstRow("""
                SELECT o.id FROM mail_messages m JOIN mail_outbox o ON o.id = m.id
                WHERE m.channel_id = \(bind: channelID) AND m.message_id = \(bind: original) AND m.direction = 'outbound'
                """).map { try $0.string("id") }
        }
        let reason = { (recipient: DeliveryReport.Recipient) in
            "delivery report: \(recipient.status ?? "5.0.0")\(recipient.diagnostic.map { " " + $0 } ?? "")"
        }
        if let mailID {
            let refused = failed.map { RefusedRecipient(address: $0.address, code: 550, reply: String(reason($0).prefix(400))) }
            try await record([MailAttemptOutcome(mailID: mailID, status: .bounced, nextAttempt: nil,
                                                             note: refused.map { "\($0.address): \($0.reply)" }.joined(separator: "; "),
                                                             undeliverable: refused)], countingAttempts: false, in: tx)
        } else {
            try await markUndeliverable(failed.map { (address: $0.address.lowercased(), reason: String(reason($0).prefix(400)), mailID: nil) },
                                        in: tx)
        }
    }

    private func markUndeliverable(_ addresses: [(address: String, reason: String, mailID: String?)], in tx: WriteTransaction) async throws {
        guard !addresses.isEmpty else { return }
        let now = tx.now().microseconds
        let rows: [SQLQueryString] = addresses.map { "(\(bind: $0.address), \(bind: String($0.reason.prefix(500))), \(bind: $0.mailID), \(bind: now))" }
        try await tx.execute("""
            INSERT INTO mail_undeliverable (address, reason, mail_id, marked_at) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, mail_id = excluded.mail_id, marked_at = excluded.marked_at
            """)
    }

    /// The records and deliveries of outgoing messages, read in `tx`.
    private func deliveries(_ ids: [String], in tx: WriteTransaction) async throws -> [(MailRecord, MailDelivery)] {
        var found: [(MailRecord, MailDelivery)] = []
        for chunk in stride(from: 0, to: ids.count, by: 200) {
            let part = Array(ids[chunk..<min(chunk + 200, ids.count)])
            for row in try await tx.rows("""
                SELECT m.id, m.channel_id, m.interaction_id, m.customer_id, m.message_id, m.thread_key, m.subject, m.envelope_from,
                    m.size, m.received_at, o.status, o.recipients, o.attempts, o.next_attempt_at, o.last_note, o.sent_at, o.updated_at
                FROM mail_outbox o JOIN mail_messages m ON m.id = o.id WHERE o.id IN (\(binds: part)) ORDER BY o.id
                """) {
                let delivery = try MailRows.delivery(row)
                let record = MailRecord(id: try row.string("id"), channelID: try row.string("channel_id"), direction: .outbound,
                                        interactionID: try row.optionalString("interaction_id"), customerID: try row.optionalString("customer_id"),
                                        messageID: try row.optionalString("message_id"), threadKey: try row.string("thread_key"),
                                        subject: try row.optionalString("subject"), envelopeFrom: try row.optionalString("envelope_from"),
                                        envelopeTo: delivery.recipients, flags: [], details: JSONObject(), attachments: [],
                                        size: Int(try row.int64("size")), receivedAt: try row.timestamp("received_at"), delivery: delivery)
                found.append((record, delivery))
            }
        }
        return found
    }

    public func hasDueMail() async throws -> Bool {
        let now = clock().microseconds
        return try await read { database in
            try await database.raw("""
                SELECT id FROM mail_outbox WHERE status IN ('queued', 'deferred') AND next_attempt_at <= \(bind: now)
                    AND (lease_until IS NULL OR lease_until < \(bind: now)) LIMIT 1
                """).first() != nil
        }
    }

    public func undeliverable(_ addresses: [String]) async throws -> [String: UndeliverableAddress] {
        guard !addresses.isEmpty else { return [:] }
        return try await read { database in
            var found: [String: UndeliverableAddress] = [:]
            for row in try await database.raw("""
                SELECT address, reason, mail_id, marked_at FROM mail_undeliverable
                WHERE address IN (\(binds: addresses.map { $0.lowercased() }))
                """).all() {
                let address = try row.string("address")
                found[address] = UndeliverableAddress(address: address, reason: try row.string("reason"),
                                                      mailID: try row.optionalString("mail_id"), markedAt: try row.timestamp("marked_at"))
            }
            return found
        }
    }
}

extension MailRows {
    /// The queue columns of `mail_outbox` as a delivery.
    static func delivery(_ row: any SQLRow) throws -> MailDelivery {
        MailDelivery(status: MailDeliveryStatus(rawValue: try row.string("status")) ?? .failed, recipients: try row.stringList("recipients"),
                     attempts: Int(try row.int64("attempts")), nextAttemptAt: try row.optionalTimestamp("next_attempt_at"),
                     note: try row.optionalString("last_note"), sentAt: try row.optionalTimestamp("sent_at"),
                     updatedAt: try row.timestamp("updated_at"))
    }
}
