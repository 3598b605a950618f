/// One event on its way to one subscription: the delivery log entry and its place in the retry queue.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Waiting for its next attempt.
        case pending
        case delivered
        /// Every attempt failed: a dead letter, kept for manual redelivery.
        case failed
        /// Its subscription was disabled before it was delivered.
        case cancelled
    }

    public var id: String
    public var subscriptionID: String
    public var eventSequence: Int64
    public var eventID: String
    public var subject: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Timestamp?
    public var lastStatus: Int?
    public var lastLatencyMilliseconds: Int?
    /// The error or the start of the receiver's answer on the last attempt.
    public var lastError: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, subscriptionID: String, eventSequence: Int64, eventID: String, subject: String, status: Status,
                attempts: Int, nextAttemptAt: Timestamp?, lastStatus: Int?, lastLatencyMilliseconds: Int?, lastError: String?,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventSequence = eventSequence
        self.eventID = eventID
        self.subject = subject
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastLatencyMilliseconds = lastLatencyMilliseconds
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["subscription_id"] = .string(subscriptionID)
        object["event_id"] = .string(eventID)
        object["sequence"] = .string(String(eventSequence))
        object["subject"] = .string(subject)
        object["status"] = .string(status.rawValue)
        object["attempts"] = .integer(Int64(attempts))
        object["next_attempt_at"] = nextAttemptAt.map { .string($0.rfc3339) } ?? .null
        object["last_status"] = lastStatus.map { .integer(Int64($0)) } ?? .null
        object["last_latency_ms"] = lastLatencyMilliseconds.map { .integer(Int64($0)) } ?? .null
        object["last_error"] = lastError.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }
}
