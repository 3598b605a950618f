/// Slows password guessing: after `threshold` failed sign-ins for one key (an email address, or
/// a client address with a higher threshold) within `window`, further attempts are refused,
/// without checking the password, for a lockout that doubles with each further failure.
///
/// Pure: the caller passes the time and keeps the value (behind a lock, per process).
public struct SignInThrottle: Sendable {
    public struct Policy: Sendable {
        public var threshold: Int
        public var windowMicroseconds: Int64
        public var firstLockoutMicroseconds: Int64
        public var longestLockoutMicroseconds: Int64

        public init(threshold: Int, windowSeconds: Int64 = 900, firstLockoutSeconds: Int64 = 60, longestLockoutSeconds: Int64 = 3_600) {
            self.threshold = threshold
            windowMicroseconds = windowSeconds * 1_000_000
            firstLockoutMicroseconds = firstLockoutSeconds * 1_000_000
            longestLockoutMicroseconds = longestLockoutSeconds * 1_000_000
        }

        /// Ten wrong passwords for one account.
        public static let perAccount = Policy(threshold: 10)
        /// Many accounts tried from one address (an office behind one address stays well under it).
        public static let perAddress = Policy(threshold: 50)
    }

    private struct Record {
        /// Failures within the window, oldest first.
        var failures: [Timestamp] = []
        var lockedUntil: Timestamp?
    }

    public let policy: Policy
    /// How many keys are remembered before the oldest are dropped (bounded memory under a spray).
    public let capacity: Int
    private var records: [String: Record] = [:]

    public init(policy: Policy, capacity: Int = 100_000) {
        self.policy = policy
        self.capacity = capacity
    }

    /// Seconds to wait before `key` may try again (rounded up), or nil when it may try now.
    public func retryAfter(_ key: String, at now: Timestamp) -> Int64? {
        guard let until = records[key]?.lockedUntil, until > now else { return nil }
        return (until.microseconds - now.microseconds + 999_999) / 1_000_000
    }

    public mutating func recordFailure(_ key: String, at now: Timestamp) {
        if records[key] == nil, records.count >= capacity { prune(at: now) }
        var record = records[key] ?? Record()
        record.failures.removeAll { $0.microseconds <= now.microseconds - policy.windowMicroseconds }
        record.failures.append(now)
        let excess = record.failures.count - policy.threshold
        if excess >= 0 {
            let doubling = min(excess, 12)
            let lockout = min(policy.firstLockoutMicroseconds << Int64(doubling), policy.longestLockoutMicroseconds)
            record.lockedUntil = Timestamp(microseconds: now.microseconds + lockout)
            // Keep the count from growing without bound while locked.
            if record.failures.count > policy.threshold + 12 { record.failures.removeFirst() }
        }
        records[key] = record
    }

    /// A right password: the key starts afresh.
    public mutating func recordSuccess(_ key: String) {
        records[key] = nil
    }

    /// Drops keys with no failure in the window and no lockout in force; if that frees nothing,
    /// all but the half with lockouts in force or the latest failures.
    private mutating func prune(at now: Timestamp) {
        let horizon = now.microseconds - policy.windowMicroseconds
        records = records.filter { _, record in
            (record.lockedUntil.map { $0 > now } ?? false) || (record.failures.last.map { $0.microseconds > horizon } ?? false)
        }
        if records.count >= capacity {
            // Lockouts in force first, then the most recent failures.
            func rank(_ record: Record) -> (Int, Int64) {
                ((record.lockedUntil.map { $0 > now } ?? false) ? 1 : 0, record.failures.last?.microseconds ?? 0)
            }
            let keep = records.sorted { rank($0.value) > rank($1.value) }.prefix(capacity / 2)
            records = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
