/// Reconnect delays: exponential with full jitter, capped, and reset once a connection stayed up long enough.
///
/// Pure: the caller supplies the random source and says when a connection succeeded or failed, so it can be
/// tested without clocks. Full jitter (a uniform delay in [0, cap]) spreads a crowd of clients reconnecting
/// after a broker restart.
public struct AMQPBackoff: Sendable {
    /// First delay ceiling.
    public var initial: Duration
    /// Largest delay ceiling.
    public var maximum: Duration
    /// Ceiling growth per failed attempt.
    public var multiplier: Double
    /// A connection that lived at least this long resets the sequence.
    public var stablePeriod: Duration
    /// Consecutive failed attempts so far.
    public private(set) var attempts = 0

    /// Defaults: 0.5 s doubling to 30 s, reset after a minute of uptime.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), multiplier: Double = 2, stablePeriod: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.stablePeriod = stablePeriod
    }

    /// The ceiling for the next delay, before jitter.
    public var currentCeiling: Duration {
        let factor = pow(multiplier, attempts)
        let seconds = min(initial.seconds * factor, maximum.seconds)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The delay before the next attempt; counts the attempt.
    public mutating func nextDelay<R: RandomNumberGenerator>(using random: inout R) -> Duration {
        let ceiling = currentCeiling
        attempts += 1
        let nanoseconds = Int64(ceiling.seconds * 1e9)
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// The delay before the next attempt, with the system random source.
    public mutating func nextDelay() -> Duration {
        var random = SystemRandomNumberGenerator()
        return nextDelay(using: &random)
    }

    /// A connection that was up for `uptime` just closed: reset if it was stable, so one blip does not inherit
    /// the long delays of an earlier outage.
    public mutating func connectionEnded(after uptime: Duration) {
        if uptime >= stablePeriod { attempts = 0 }
    }

    /// Forget earlier failures.
    public mutating func reset() { attempts = 0 }
}

private func pow(_ base: Double, _ exponent: Int) -> Double {
    // Capped exponent: beyond 64 doublings every realistic ceiling is already at `maximum`.
    var result = 1.0
    for _ in 0..<min(exponent, 64) { result *= base }
    return result
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
