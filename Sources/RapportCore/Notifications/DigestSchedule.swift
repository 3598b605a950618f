import Foundation

/// How often a user wants the unread part of their inbox by email.
public enum DigestFrequency: String, Sendable, CaseIterable {
    case off
    case hourly
    case daily
}

/// A user's email digest: off, every hour, or every day at an hour of their department's day.
public struct DigestSchedule: Sendable, Equatable {
    public var frequency: DigestFrequency
    /// The hour (0–23) a daily digest goes out, in the time zone of the user's department.
    public var hour: Int

    public init(frequency: DigestFrequency = .off, hour: Int = 8) {
        self.frequency = frequency
        self.hour = hour
    }

    /// The first time a digest is due after `last`: the next full hour, or the next `hour:00`
    /// in `zone`; nil when digests are off.
    public func nextDue(after last: Timestamp, in zone: TimeZone) -> Timestamp? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let wanted: DateComponents
        switch frequency {
        case .off: return nil
        case .hourly: wanted = DateComponents(minute: 0, second: 0)
        case .daily: wanted = DateComponents(hour: hour, minute: 0, second: 0)
        }
        return calendar.nextDate(after: last.date, matching: wanted, matchingPolicy: .nextTime).map(Timestamp.init)
    }

    public var json: JSONValue {
        ["frequency": .string(frequency.rawValue), "hour": .integer(Int64(hour))]
    }

    /// `{"frequency": "daily", "hour": 8}`; `hour` defaults to 8.
    public static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> DigestSchedule {
        var reader = try InputReader(value, path: path)
        let frequency: DigestFrequency? = reader.enumeration("frequency", required: true)
        let hour = reader.integer("hour", in: 0...23)
        try reader.finish()
        return DigestSchedule(frequency: frequency ?? .off, hour: hour.map(Int.init) ?? 8)
    }

    /// The stored form (the JSON text); `off` for nothing or something unreadable.
    public static func stored(_ text: String?) -> DigestSchedule {
        guard let text, let value = try? JSONParser.parse(text), let schedule = try? read(value, path: "digest") else { return DigestSchedule() }
        return schedule
    }
}
