/// The outcome of one delivery attempt, as the sender records it.
public struct WebhookAttempt: Sendable, Equatable {
    public var deliveryID: String
    /// `delivered`, `pending` (retried at `nextAttempt`) or `failed` (a dead letter).
    public var status: WebhookDelivery.Status
    public var nextAttempt: Timestamp?
    /// The receiver's HTTP status; nil when no answer came.
    public var httpStatus: Int?
    public var latencyMilliseconds: Int
    /// The start of the answer or the error, for the delivery log.
    public var error: String?
    /// Set when the answer ends the subscription (410 Gone): it is disabled and its queue cancelled.
    public var disableReason: String?

    public init(deliveryID: String, status: WebhookDelivery.Status, nextAttempt: Timestamp?, httpStatus: Int?,
                latencyMilliseconds: Int, error: String?, disableReason: String?) {
        self.deliveryID = deliveryID
        self.status = status
        self.nextAttempt = nextAttempt
        self.httpStatus = httpStatus
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
        self.disableReason = disableReason
    }
}
