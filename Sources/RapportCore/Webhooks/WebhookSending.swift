/// The sender's decisions, as pure functions of what it knows: how many deliveries it may lease
/// and until when, and what one attempt's answer means for its delivery. The dispatcher performs
/// what these return (leases rows, posts, records attempts); it decides nothing itself.
public struct WebhookSending: Sendable, Equatable {
    /// When failed attempts are tried again.
    public var schedule: RetrySchedule
    /// How long a lease lasts: longer than one attempt may take, short enough that a dead node's
    /// deliveries are taken over soon.
    public var lease: Duration
    /// Deliveries one node has in flight at most.
    public var maxInFlight: Int

    public init(schedule: RetrySchedule, lease: Duration = .seconds(8), maxInFlight: Int = 256) {
        self.schedule = schedule
        self.lease = lease
        self.maxInFlight = maxInFlight
    }

    /// What a node with `inFlight` deliveries outstanding may lease at `now`: how many, and until
    /// when its leases hold; nil when it has no room.
    public func leaseWindow(inFlight: Int, now: Timestamp) -> (room: Int, until: Timestamp)? {
        let room = maxInFlight - inFlight
        guard room > 0 else { return nil }
        return (room, now.adding(lease))
    }

    /// What attempt number `attemptsBefore + 1` of `deliveryID` came to at `now`: delivered,
    /// retried later (never before the receiver's `Retry-After`), a dead letter once the schedule
    /// is used up, or the end of the subscription on 410 Gone. `status` is nil when no answer came.
    public func attempt(of deliveryID: String, attemptsBefore: Int, status: Int?, retryAfter: String?, note: String?,
                        latencyMilliseconds: Int, now: Timestamp) -> WebhookAttempt {
        let outcome = status.map { WebhookResponseOutcome(status: $0, retryAfter: retryAfter) } ?? .failed
        var state = WebhookDelivery.Status.pending
        var next: Timestamp?
        var disable: String?
        switch outcome {
        case .delivered:
            state = .delivered
        case .gone:
            state = .failed
            disable = "the receiver answered 410 Gone"
        case .throttled(let wait):
            next = schedule.delay(beforeAttempt: attemptsBefore + 2, retryAfter: wait).map(now.adding)
        case .failed:
            next = schedule.delay(beforeAttempt: attemptsBefore + 2).map(now.adding)
        }
        if state == .pending, next == nil { state = .failed }
        return WebhookAttempt(deliveryID: deliveryID, status: state, nextAttempt: next, httpStatus: status,
                              latencyMilliseconds: latencyMilliseconds,
                              error: state == .delivered ? nil : note.map { String($0.prefix(500)) }, disableReason: disable)
    }
}

extension Timestamp {
    /// This time plus `duration` (to the microsecond).
    public func adding(_ duration: Duration) -> Timestamp {
        Timestamp(microseconds: microseconds + duration.nanoseconds / 1_000)
    }
}
