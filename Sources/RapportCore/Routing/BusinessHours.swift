import Foundation

/// The company's opening hours in one time zone: intervals per weekday, and closed dates.
public struct BusinessHours: Sendable, Equatable {
    public var timeZone: TimeZone
    /// The zone's name as it was given (Foundation calls `UTC` `GMT`; the settings keep the name).
    public var timeZoneName: String
    /// Weekday (1 = Monday … 7 = Sunday) → minute-of-day intervals, end exclusive.
    public var intervals: [Int: [Range<Int>]]
    /// Whole days closed (`YYYY-MM-DD` in the time zone).
    public var closedDates: Set<String>

    public init(timeZone: TimeZone, intervals: [Int: [Range<Int>]], closedDates: Set<String> = [], timeZoneName: String? = nil) {
        self.timeZone = timeZone
        self.timeZoneName = timeZoneName ?? timeZone.identifier
        self.intervals = intervals
        self.closedDates = closedDates
    }

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// True when `time` falls in an interval of its local weekday and its date is not closed.
    public func contains(_ time: Timestamp) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: time.date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday,
              let hour = parts.hour, let minute = parts.minute else { return false }
        let date = String(format: "%04d-%02d-%02d", year, month, day)
        if closedDates.contains(date) { return false }
        // Calendar counts Sunday as 1; ours starts on Monday.
        let isoWeekday = weekday == 1 ? 7 : weekday - 1
        let minuteOfDay = hour * 60 + minute
        return intervals[isoWeekday, default: []].contains { $0.contains(minuteOfDay) }
    }

    /// Reads `{"time_zone": "Europe/Berlin", "days": {"mon": ["09:00-17:00"], …}, "closed": ["2026-12-25"]}`.
    public static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> BusinessHours {
        var reader = try InputReader(value, path: path)
        let zoneName = reader.string("time_zone", required: true, maxLength: 64)
        var zone = TimeZone(identifier: "UTC")!
        if let zoneName {
            if let found = TimeZone(identifier: zoneName) { zone = found }
            else { reader.fail("time_zone", "\"\(zoneName)\" is not an IANA time zone (e.g. Europe/Berlin)") }
        }
        var intervals: [Int: [Range<Int>]] = [:]
        if case .set(let days) = reader.object("days", maxKeys: 7) {
            for (name, raw) in days {
                guard let index = dayNames.firstIndex(of: name) else {
                    reader.fail("days.\(name)", "expected one of \(dayNames.joined(separator: ", "))")
                    continue
                }
                guard case .array(let items) = raw else {
                    reader.fail("days.\(name)", "expected a list like [\"09:00-17:00\"]")
                    continue
                }
                for (position, item) in items.enumerated() {
                    guard let text = item.stringValue, let range = parseInterval(text) else {
                        reader.fail("days.\(name)[\(position)]", "expected HH:MM-HH:MM with the start before the end")
                        continue
                    }
                    intervals[index + 1, default: []].append(range)
                }
            }
        } else {
            reader.fail("days", "is required")
        }
        var closed: Set<String> = []
        for (index, text) in (reader.stringList("closed", maxCount: 1_000, maxLength: 10) ?? []).enumerated() {
            if text.utf8.count == 10, Timestamp(rfc3339: text + "T00:00:00Z") != nil { closed.insert(text) }
            else { reader.fail("closed[\(index)]", "expected a date YYYY-MM-DD") }
        }
        try reader.finish()
        return BusinessHours(timeZone: zone, intervals: intervals, closedDates: closed, timeZoneName: zoneName.flatMap { TimeZone(identifier: $0) == nil ? nil : $0 })
    }

    static func parseInterval(_ text: String) -> Range<Int>? {
        let halves = text.split(separator: "-")
        guard halves.count == 2, let start = minute(of: halves[0]), let end = minute(of: halves[1]), start < end else { return nil }
        return start..<end
    }

    static func minute(of text: Substring) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1_440 else { return nil }
        return hour * 60 + minute
    }

    public var json: JSONValue {
        var days = JSONObject()
        for (weekday, ranges) in intervals.sorted(by: { $0.key < $1.key }) {
            days[Self.dayNames[weekday - 1]] = .array(ranges.map { .string(String(format: "%02d:%02d-%02d:%02d", $0.lowerBound / 60, $0.lowerBound % 60, $0.upperBound / 60, $0.upperBound % 60)) })
        }
        return ["time_zone": .string(timeZoneName), "days": .object(days), "closed": .array(closedDates.sorted().map(JSONValue.string))]
    }
}
