/// What a receiver's answer means for a delivery.
public enum WebhookResponseOutcome: Sendable, Equatable {
    /// 2xx: delivered.
    case delivered
    /// 410 Gone: the receiver wants no more; the subscription is disabled.
    case gone
    /// 429 or 503: try again, not before `retryAfter` when the receiver said so.
    case throttled(retryAfter: Duration?)
    /// Any other status, a timeout or a refused connection: counts as a failed attempt.
    case failed

    /// Classifies an HTTP status and its `Retry-After` header (seconds; HTTP dates count as absent).
    public init(status: Int, retryAfter: String?) {
        switch status {
        case 200..<300: self = .delivered
        case 410: self = .gone
        case 429, 503:
            let seconds = retryAfter.flatMap { Int($0.trimmingWhitespace()) }.flatMap { $0 >= 0 ? $0 : nil }
            self = .throttled(retryAfter: seconds.map { .seconds(min($0, 24 * 3_600)) })
        default: self = .failed
        }
    }
}
