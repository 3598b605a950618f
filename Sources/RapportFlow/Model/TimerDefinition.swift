import RapportCore

/// When a timer event is due: its schedule, counted in every minute or in business hours.
public struct TimerDefinition: Sendable, Equatable {
    public let schedule: TimerSchedule
    /// Whose opening hours a duration (or a cycle's interval) counts in; nil: every minute counts.
    public let businessHours: BusinessHoursReference?

    public init(_ schedule: TimerSchedule, businessHours: BusinessHoursReference? = nil) {
        self.schedule = schedule
        self.businessHours = businessHours
    }

    /// The moment a token arriving at `now` is released (a cycle: its first time), counted in
    /// `hours` where the timer asks for business hours (nil: every minute counts).
    public func due(after now: Timestamp, in hours: BusinessHours?) -> Timestamp {
        switch schedule {
        case .duration(let duration): duration.added(to: now, in: hours)
        case .date(let date): date
        case .cycle(let cycle): cycle.first(after: now, in: hours)
        }
    }

    /// Its repeating interval, when it is a `timeCycle`.
    public var cycle: TimerCycle? {
        if case .cycle(let cycle) = schedule { cycle } else { nil }
    }
}

/// A timer's `timeDuration`, `timeDate` or `timeCycle`.
public enum TimerSchedule: Sendable, Equatable {
    /// A `timeDuration`: this long after the token arrives.
    case duration(ISODuration)
    /// A `timeDate`: at this moment (at once when it has passed).
    case date(Timestamp)
    /// A `timeCycle` (`R3/PT1H`, `R/2027-01-04T09:00:00Z/P7D`): again and again.
    case cycle(TimerCycle)
}

/// Whose opening hours a timer counts in (`<rapport:businessHours department="…"/>`): a
/// department's, by id or key, or without one the company's (the routing settings').
public struct BusinessHoursReference: Sendable, Hashable, CustomStringConvertible {
    public let department: String?

    public init(department: String?) {
        self.department = department
    }

    public var description: String {
        department.map { "the business hours of department '\($0)'" } ?? "the company's business hours"
    }
}

/// The opening hours the timers of one input count in, looked up by the caller (the engine reads
/// no settings). A reference with no hours counts every minute.
public typealias FlowCalendars = [BusinessHoursReference: BusinessHours]

extension ISODuration {
    /// `timestamp` moved on by this duration counted in `hours`: days are business days (the same
    /// time of day on a later open date), hours, minutes and seconds are opening time. Without
    /// hours, every minute counts. (Years, months and weeks are refused in business hours at deploy.)
    public func added(to timestamp: Timestamp, in hours: BusinessHours?) -> Timestamp {
        guard let hours else { return added(to: timestamp) }
        return hours.deadline(addingMicroseconds: microseconds, to: hours.adding(businessDays: days, to: timestamp))
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
    public func first(after now: Timestamp, in hours: BusinessHours? = nil) -> Timestamp {
        if let start, start >= now { return start }
        guard let start else { return interval.added(to: now, in: hours) }
        return next(after: start, now: now, in: hours)
    }

    /// The next time after one due at `due`, past `now` (times missed while nothing ran are skipped).
    public func next(after due: Timestamp, now: Timestamp, in hours: BusinessHours? = nil) -> Timestamp {
        var next = interval.added(to: due, in: hours)
        var steps = 0
        while next <= now && steps < 100_000 {
            next = interval.added(to: next, in: hours)
            steps += 1
        }
        return next <= now ? interval.added(to: now, in: hours) : next
    }
}
