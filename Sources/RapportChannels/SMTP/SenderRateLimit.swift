/// How many messages one envelope sender may send in a minute: a token bucket per sender, so a
/// burst up to the limit passes and a flood is told to come back later (450). Pure: the caller
/// gives the time.
struct SenderRateLimit {
    let perMinute: Int
    private var buckets: [String: Bucket] = [:]

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    /// Takes a token for `sender` (nil: the null sender) at `now` (seconds); false when none is left.
    mutating func take(_ sender: String?, now: Double) -> Bool {
        let key = sender?.lowercased() ?? "<>"
        let capacity = Double(perMinute)
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * capacity / 60)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return false
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        if buckets.count > 50_000 { forgetFull(now: now) }
        return true
    }

    /// Drops senders whose bucket has refilled: they are as new.
    private mutating func forgetFull(now: Double) {
        let capacity = Double(perMinute)
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * capacity / 60 < capacity }
    }
}

import Synchronization

/// The server's one rate limit, shared by its connections, on the clock it is given.
final class SharedSenderRateLimit: Sendable {
    private let limit: Mutex<SenderRateLimit>
    private let clock: @Sendable () -> Double

    init(perMinute: Int, clock: @escaping @Sendable () -> Double) {
        self.limit = Mutex(SenderRateLimit(perMinute: perMinute))
        self.clock = clock
    }

    func take(_ sender: String?) -> Bool {
        let now = clock()
        return limit.withLock { $0.take(sender, now: now) }
    }
}
