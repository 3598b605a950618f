/// Where an email Rapport sends stands in the queue: what `GET /v1/mail-messages/{id}` shows
/// under `delivery`.
public struct MailDelivery: Sendable, Equatable {
    public var status: MailDeliveryStatus
    public var recipients: [String]
    public var attempts: Int
    public var nextAttemptAt: Timestamp?
    /// The relay's last answer or the last error.
    public var note: String?
    public var sentAt: Timestamp?
    public var updatedAt: Timestamp

    public init(status: MailDeliveryStatus, recipients: [String], attempts: Int, nextAttemptAt: Timestamp?, note: String?,
                sentAt: Timestamp?, updatedAt: Timestamp) {
        self.status = status
        self.recipients = recipients
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.note = note
        self.sentAt = sentAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["status"] = .string(status.rawValue)
        object["recipients"] = .array(recipients.map(JSONValue.string))
        object["attempts"] = .integer(Int64(attempts))
        object["next_attempt_at"] = nextAttemptAt.map { .string($0.rfc3339) } ?? .null
        object["note"] = note.map(JSONValue.string) ?? .null
        object["sent_at"] = sentAt.map { .string($0.rfc3339) } ?? .null
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}

/// A message the sender has leased: the bytes to send and the envelope.
public struct QueuedMail: Sendable, Equatable {
    public var mailID: String
    public var raw: [UInt8]
    public var envelopeFrom: String
    public var recipients: [String]
    /// Attempts made before this one.
    public var attempts: Int

    public init(mailID: String, raw: [UInt8], envelopeFrom: String, recipients: [String], attempts: Int) {
        self.mailID = mailID
        self.raw = raw
        self.envelopeFrom = envelopeFrom
        self.recipients = recipients
        self.attempts = attempts
    }
}

/// An address mail to which bounced: why, from which message, when.
public struct UndeliverableAddress: Sendable, Equatable {
    public var address: String
    public var reason: String
    public var mailID: String?
    public var markedAt: Timestamp

    public init(address: String, reason: String, mailID: String?, markedAt: Timestamp) {
        self.address = address
        self.reason = reason
        self.mailID = mailID
        self.markedAt = markedAt
    }

    /// What `GET /v1/mail-addresses/{address}` shows; an address not here is deliverable as far as Rapport knows.
    public static func json(address: String, _ known: UndeliverableAddress?) -> JSONValue {
        var object = JSONObject()
        object["address"] = .string(address)
        object["undeliverable"] = .bool(known != nil)
        object["reason"] = known.map { .string($0.reason) } ?? .null
        object["mail_id"] = known?.mailID.map(JSONValue.string) ?? .null
        object["marked_at"] = known.map { .string($0.markedAt.rfc3339) } ?? .null
        return .object(object)
    }
}
