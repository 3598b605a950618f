/// When failed work is tried again (a webhook delivery, an email to the relay): the wait before
/// each attempt. The standard one: at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
/// 20 h and 24 h — about three days in all — after which the work has failed.
public struct RetrySchedule: Sendable, Equatable {
    /// The wait before each attempt; the first is the initial delivery.
    public var delays: [Duration]

    public init(delays: [Duration]) {
        self.delays = delays
    }

    public static let standard = RetrySchedule(delays: [
        .zero, .seconds(5), .seconds(5 * 60), .seconds(30 * 60), .seconds(2 * 3_600), .seconds(5 * 3_600),
        .seconds(10 * 3_600), .seconds(14 * 3_600), .seconds(20 * 3_600), .seconds(24 * 3_600),
    ])

    /// Reads a list such as `0,5s,5m,30m,2h` (units ms, s, m, h; a bare number is seconds);
    /// nil when an entry is not a non-negative duration or the list is empty.
    public init?(listing text: String) {
        var delays: [Duration] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(entry).trimmingWhitespace()
            let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
            let unit = units.first { item.hasSuffix($0.suffix) && Int64(item.dropLast($0.suffix.count)) != nil } ?? ("", 1_000)
            guard let amount = Int64(item.dropLast(unit.suffix.count)), amount >= 0, amount <= 7 * 24 * 3_600_000 / unit.milliseconds else {
                return nil
            }
            delays.append(.milliseconds(amount * unit.milliseconds))
        }
        guard !delays.isEmpty else { return nil }
        self.delays = delays
    }

    /// How many attempts a delivery gets.
    public var attempts: Int { delays.count }

    /// The wait before attempt `number` (1-based) after attempt `number - 1` failed; nil when
    /// there is none left. A receiver's `Retry-After` lengthens the wait, never shortens it.
    public func delay(beforeAttempt number: Int, retryAfter: Duration? = nil) -> Duration? {
        guard number >= 1, number <= delays.count else { return nil }
        let scheduled = delays[number - 1]
        guard let retryAfter else { return scheduled }
        return max(scheduled, retryAfter)
    }
}
