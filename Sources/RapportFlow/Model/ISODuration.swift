import Foundation
import RapportCore

/// An ISO 8601 duration (`P3D`, `PT4H`, `P1Y2M10DT2H30M`, `PT0.5S`): years and months are calendar
/// units (added in UTC, so 31 January plus `P1M` is the last day of February); the rest is exact.
public struct ISODuration: Sendable, Equatable, CustomStringConvertible {
    public var years: Int
    public var months: Int
    public var days: Int
    /// Hours, minutes and seconds together.
    public var microseconds: Int64
    public let description: String

    /// Parses the text, or nil when it is not an ISO 8601 duration.
    public init?(_ text: String) {
        var rest = Substring(text)
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var years = 0, months = 0, days = 0
        var micros: Int64 = 0
        var inTime = false
        var sawComponent = false
        var lastUnitRank = -1
        while !rest.isEmpty {
            if rest.first == "T" {
                guard !inTime else { return nil }
                inTime = true
                rest = rest.dropFirst()
                guard !rest.isEmpty else { return nil }
                continue
            }
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }
            guard !number.isEmpty, let unit = rest.dropFirst(number.count).first else { return nil }
            rest = rest.dropFirst(number.count + 1)
            let rank: Int
            switch (inTime, unit) {
            case (false, "Y"): rank = 0
            case (false, "M"): rank = 1
            case (false, "W"): rank = 2
            case (false, "D"): rank = 3
            case (true, "H"): rank = 4
            case (true, "M"): rank = 5
            case (true, "S"): rank = 6
            default: return nil
            }
            guard rank > lastUnitRank else { return nil }
            lastUnitRank = rank
            sawComponent = true
            let normalized = number.replacingOccurrences(of: ",", with: ".")
            if rank == 6 {
                guard let seconds = Double(normalized), seconds.isFinite, seconds < 1e12 else { return nil }
                micros += Int64((seconds * 1_000_000).rounded())
                continue
            }
            guard let value = Int(normalized), value < 1_000_000 else { return nil }
            switch rank {
            case 0: years = value
            case 1: months = value
            case 2: days += value * 7
            case 3: days += value
            case 4: micros += Int64(value) * 3_600_000_000
            default: micros += Int64(value) * 60_000_000
            }
        }
        guard sawComponent else { return nil }
        self.years = years
        self.months = months
        self.days = days
        self.microseconds = micros
        self.description = text
    }

    /// `timestamp` moved on by this duration.
    public func added(to timestamp: Timestamp) -> Timestamp {
        var result = timestamp
        if years != 0 || months != 0 {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let moved = calendar.date(byAdding: DateComponents(year: years, month: months), to: timestamp.date) ?? timestamp.date
            result = Timestamp(moved)
            result.microseconds += timestamp.microseconds % 1_000_000 - result.microseconds % 1_000_000
        }
        result.microseconds += Int64(days) * 86_400_000_000 + microseconds
        return result
    }
}

/// When a timer event is due.
public enum TimerDefinition: Sendable, Equatable {
    /// A `timeDuration`: this long after the token arrives.
    case duration(ISODuration)
    /// A `timeDate`: at this moment (at once when it has passed).
    case date(Timestamp)
    /// A `timeCycle` (`R3/PT1H`, `R/2027-01-04T09:00:00Z/P7D`): again and again.
    case cycle(TimerCycle)

    /// The moment a token arriving at `now` is released (a cycle: its first time).
    public func due(after now: Timestamp) -> Timestamp {
        switch self {
        case .duration(let duration): return duration.added(to: now)
        case .date(let date): return date
        case .cycle(let cycle): return cycle.first(after: now)
        }
    }
}

/// An ISO 8601 repeating interval: `R[n]/[start/]interval`.
public struct TimerCycle: Sendable, Equatable {
    /// How many times it fires; nil: without end.
    public let repetitions: Int?
    /// When it fires first; nil: one interval after it is armed.
    public let start: Timestamp?
    public let interval: ISODuration

    /// `R5/PT10M`, `R/P1D`, `R3/2027-01-04T09:00:00Z/P7D`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, parts[0].hasPrefix("R") else { return nil }
        let count = parts[0].dropFirst()
        if count.isEmpty {
            repetitions = nil
        } else {
            guard let number = Int(count), number > 0 else { return nil }
            repetitions = number
        }
        if parts.count == 3 {
            guard let date = Timestamp(rfc3339: parts[1]) else { return nil }
            start = date
        } else {
            start = nil
        }
        guard let interval = ISODuration(parts[parts.count - 1]), interval.added(to: Timestamp(microseconds: 0)).microseconds > 0 else { return nil }
        self.interval = interval
    }

    /// The first time when armed at `now`: its start (if still ahead), else one interval on.
    public func first(after now: Timestamp) -> Timestamp {
        if let start, start >= now { return start }
        guard let start else { return interval.added(to: now) }
        return next(after: start, now: now)
    }

    /// The next time after one due at `due`, past `now` (times missed while nothing ran are skipped).
    public func next(after due: Timestamp, now: Timestamp) -> Timestamp {
        var next = interval.added(to: due)
        var steps = 0
        while next <= now && steps < 100_000 {
            next = interval.added(to: next)
            steps += 1
        }
        return next <= now ? interval.added(to: now) : next
    }
}