import RapportCore
import Synchronization

/// A time tests set and move on, for stores and workers that take a `() -> Timestamp`.
public final class TestTime: Sendable {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(microseconds: 1_800_000_000_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.adding(duration) }
    }

    /// Moves the time to `moment` (on, as a clock does).
    public func set(_ moment: Timestamp) {
        current.withLock { $0 = max($0, moment) }
    }

    /// The time as the closure stores and workers take.
    public var clock: @Sendable () -> Timestamp { { self.now() } }
}
