/// A hybrid logical clock reading: physical milliseconds plus a counter that orders events within
/// one millisecond and across nodes whose clocks disagree a little.
///
/// Ordered by (milliseconds, counter). Text form: `1795316400123-7`.
public struct HybridTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64
    public var counter: UInt32

    public init(milliseconds: Int64, counter: UInt32 = 0) {
        self.milliseconds = milliseconds
        self.counter = counter
    }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        (lhs.milliseconds, lhs.counter) < (rhs.milliseconds, rhs.counter)
    }

    public var description: String { "\(milliseconds)-\(counter)" }

    /// Reads the text form; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = Int64(parts[0]), milliseconds >= 0,
              let counter = UInt32(parts[1]) else { return nil }
        self.init(milliseconds: milliseconds, counter: counter)
    }
}

/// Why a timestamp from elsewhere was refused.
public struct ClockSkewError: Error, Sendable, Equatable, CustomStringConvertible {
    public var received: HybridTimestamp
    public var limitMilliseconds: Int64

    public init(received: HybridTimestamp, limitMilliseconds: Int64) {
        self.received = received
        self.limitMilliseconds = limitMilliseconds
    }

    public var description: String {
        "timestamp \(received) is more than \(limitMilliseconds) ms ahead of this server's clock"
    }
}

/// The clock of one node: every reading is greater than every reading it made or received before.
///
/// Pure: the caller passes the physical time, so tests and replays are deterministic.
public struct HybridClock: Sendable {
    public private(set) var last: HybridTimestamp
    /// How far ahead of the physical clock a received timestamp may be.
    public let maxSkewMilliseconds: Int64

    public init(maxSkewMilliseconds: Int64 = 60_000, last: HybridTimestamp = HybridTimestamp(milliseconds: 0)) {
        self.maxSkewMilliseconds = maxSkewMilliseconds
        self.last = last
    }

    /// A reading for a local event at physical time `physical` (milliseconds).
    public mutating func now(physical: Int64) -> HybridTimestamp {
        if physical > last.milliseconds {
            last = HybridTimestamp(milliseconds: physical)
        } else {
            last = Self.successor(of: last)
        }
        return last
    }

    /// Takes in a timestamp written elsewhere (a channel, another node), refusing one too far ahead.
    public mutating func receive(_ remote: HybridTimestamp, physical: Int64) throws(ClockSkewError) -> HybridTimestamp {
        guard remote.milliseconds <= physical + maxSkewMilliseconds else {
            throw ClockSkewError(received: remote, limitMilliseconds: maxSkewMilliseconds)
        }
        let newest = max(last, remote)
        if physical > newest.milliseconds {
            last = HybridTimestamp(milliseconds: physical)
        } else {
            last = Self.successor(of: newest)
        }
        return last
    }

    /// Notes a timestamp seen elsewhere without a skew check (e.g. one already stored), so every later
    /// reading is greater than it.
    public mutating func observe(_ remote: HybridTimestamp) {
        if remote > last { last = remote }
    }

    private static func successor(of timestamp: HybridTimestamp) -> HybridTimestamp {
        if timestamp.counter == .max {
            return HybridTimestamp(milliseconds: timestamp.milliseconds + 1)
        }
        return HybridTimestamp(milliseconds: timestamp.milliseconds, counter: timestamp.counter + 1)
    }
}
