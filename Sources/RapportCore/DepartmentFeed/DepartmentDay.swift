import Foundation

/// A calendar day in a department's time zone, as the instants it starts and ends: "today" for a
/// department in Shanghai is not today in Berlin.
public struct DepartmentDay: Sendable, Equatable {
    /// `YYYY-MM-DD` in the time zone.
    public var date: String
    public var start: Timestamp
    /// The next day's start (exclusive).
    public var end: Timestamp

    public init(date: String, start: Timestamp, end: Timestamp) {
        self.date = date
        self.start = start
        self.end = end
    }

    /// The day that contains `time` in `zone`.
    public static func containing(_ time: Timestamp, in zone: TimeZone) -> DepartmentDay {
        let calendar = Self.calendar(zone)
        let start = calendar.startOfDay(for: time.date)
        return day(from: start, calendar: calendar)
    }

    /// The day named `YYYY-MM-DD` in `zone`; nil when the text is not such a date.
    public static func named(_ text: String, in zone: TimeZone) -> DepartmentDay? {
        guard let named = CalendarDate(text) else { return nil }
        let calendar = Self.calendar(zone)
        guard let date = calendar.date(from: DateComponents(year: named.year, month: named.month, day: named.day)) else { return nil }
        return Self.day(from: calendar.startOfDay(for: date), calendar: calendar)
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    private static func day(from start: Date, calendar: Calendar) -> DepartmentDay {
        // Days are 23 or 25 hours long when the clocks change: the next day's start, not 24 hours on.
        let end = calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        let date = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        return DepartmentDay(date: date, start: Timestamp(start), end: Timestamp(end))
    }
}
