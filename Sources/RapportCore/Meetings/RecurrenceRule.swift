import Foundation

/// A meeting's repetition (RFC 5545 §3.3.10, the parts calendar programs write for meetings):
/// `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10`, `FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231T000000Z`.
public struct RecurrenceRule: Sendable, Equatable {
    public enum Frequency: String, Sendable {
        case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"
    }

    /// A weekday, with an ordinal in a month (`-1FR`: the last Friday) or none.
    public struct Day: Sendable, Equatable {
        /// 1 Sunday … 7 Saturday, as Foundation's calendar counts.
        public var weekday: Int
        public var ordinal: Int?

        public init(weekday: Int, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        static let codes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
    }

    public var frequency: Frequency
    public var interval: Int
    public var count: Int?
    public var until: Timestamp?
    public var byDay: [Day]
    public var byMonthDay: [Int]

    public init(frequency: Frequency, interval: Int = 1, count: Int? = nil, until: Timestamp? = nil, byDay: [Day] = [], byMonthDay: [Int] = []) {
        self.frequency = frequency
        self.interval = interval
        self.count = count
        self.until = until
        self.byDay = byDay
        self.byMonthDay = byMonthDay
    }

    /// Reads a rule; nil when it names no frequency Rapport repeats by, or a part is malformed.
    /// `UNTIL` in local time is read in `zone`.
    public init?(_ text: String, zone: TimeZone = TimeZone(identifier: "UTC")!) {
        var frequency: Frequency?
        var interval = 1
        var count: Int?
        var until: Timestamp?
        var byDay: [Day] = []
        var byMonthDay: [Int] = []
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).uppercased() }
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "FREQ": frequency = Frequency(rawValue: pair[1])
            case "INTERVAL":
                guard let value = Int(pair[1]), value >= 1, value <= 1_000 else { return nil }
                interval = value
            case "COUNT":
                guard let value = Int(pair[1]), value >= 1 else { return nil }
                count = value
            case "UNTIL":
                guard let value = ICalendarTime.instant(pair[1], in: zone) else { return nil }
                until = value
            case "BYDAY":
                for code in pair[1].split(separator: ",") {
                    let letters = String(code.suffix(2))
                    guard let index = Day.codes.firstIndex(of: letters) else { return nil }
                    let prefix = code.dropLast(2)
                    guard prefix.isEmpty || Int(prefix) != nil else { return nil }
                    byDay.append(Day(weekday: index + 1, ordinal: prefix.isEmpty ? nil : Int(prefix)))
                }
            case "BYMONTHDAY":
                for day in pair[1].split(separator: ",") {
                    guard let value = Int(day), value != 0, abs(value) <= 31 else { return nil }
                    byMonthDay.append(value)
                }
            case "WKST": break
            default: break
            }
        }
        guard let frequency else { return nil }
        self.init(frequency: frequency, interval: interval, count: count, until: until, byDay: byDay, byMonthDay: byMonthDay)
    }

    public var text: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let count { parts.append("COUNT=\(count)") }
        if let until { parts.append("UNTIL=\(ICalendarTime.utc(until))") }
        if !byDay.isEmpty { parts.append("BYDAY=" + byDay.map { ($0.ordinal.map(String.init) ?? "") + Day.codes[$0.weekday - 1] }.joined(separator: ",")) }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=" + byMonthDay.map(String.init).joined(separator: ",")) }
        return parts.joined(separator: ";")
    }

    /// The starts of the occurrences from `start` (the first, at its local time of day in
    /// `zone`, whatever daylight saving does) up to `end`, at most `limit` of them.
    public func occurrences(from start: Timestamp, in zone: TimeZone, through end: Timestamp, limit: Int = 1_000) -> [Timestamp] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let first = start.date
        let time = calendar.dateComponents([.hour, .minute, .second], from: first)
        let startDay = calendar.component(.day, from: first)
        let last = min(end, until ?? end)
        var found: [Timestamp] = []
        var produced = 0
        func at(_ day: DateComponents) -> Date? {
            var components = day
            components.hour = time.hour
            components.minute = time.minute
            components.second = time.second
            return calendar.date(from: components)
        }
        // Each period (a day, a week, a month, a year) gives its candidate days in order.
        var period = 0
        while period < 10_000 {
            guard let anchor = calendar.date(byAdding: unit, value: period * interval, to: first) else { break }
            for candidate in candidates(in: anchor, startDay: startDay, calendar: calendar).compactMap(at).sorted() where candidate >= first {
                let stamp = Timestamp(candidate)
                if stamp > last { return found }
                produced += 1
                if let count, produced > count { return found }
                found.append(stamp)
                if found.count >= limit { return found }
            }
            period += 1
        }
        return found
    }

    private var unit: Calendar.Component {
        switch frequency {
        case .daily: .day
        case .weekly: .weekOfYear
        case .monthly: .month
        case .yearly: .year
        }
    }

    /// The days of the period around `anchor` that the rule names.
    private func candidates(in anchor: Date, startDay: Int, calendar: Calendar) -> [DateComponents] {
        let day = calendar.dateComponents([.year, .month, .day, .weekday], from: anchor)
        switch frequency {
        case .daily:
            return [DateComponents(year: day.year, month: day.month, day: day.day)]
        case .weekly:
            let weekdays = byDay.isEmpty ? [day.weekday ?? 1] : byDay.map(\.weekday)
            return weekdays.compactMap { weekday in
                // Weeks start on Monday (RFC 5545's default WKST).
                let fromMonday = ((day.weekday ?? 1) + 5) % 7
                let offset = (weekday + 5) % 7 - fromMonday
                guard let date = calendar.date(byAdding: .day, value: offset, to: anchor) else { return nil }
                return calendar.dateComponents([.year, .month, .day], from: date)
            }
        case .monthly:
            // A month without the start's day (the 31st) has no occurrence (RFC 5545 §3.3.10).
            return monthDays(year: day.year ?? 1970, month: day.month ?? 1, defaultDay: startDay, calendar: calendar)
        case .yearly:
            return [DateComponents(year: day.year, month: day.month, day: startDay)]
        }
    }

    private func monthDays(year: Int, month: Int, defaultDay: Int, calendar: Calendar) -> [DateComponents] {
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let length = calendar.range(of: .day, in: .month, for: first)?.count else { return [] }
        var days: [Int] = []
        for value in byMonthDay { days.append(value > 0 ? value : length + value + 1) }
        for rule in byDay {
            let matching = (1...length).filter { day in
                calendar.date(from: DateComponents(year: year, month: month, day: day)).map { calendar.component(.weekday, from: $0) } == rule.weekday
            }
            if let ordinal = rule.ordinal {
                let index = ordinal > 0 ? ordinal - 1 : matching.count + ordinal
                if matching.indices.contains(index) { days.append(matching[index]) }
            } else {
                days += matching
            }
        }
        if byMonthDay.isEmpty, byDay.isEmpty { days = [defaultDay] }
        return days.filter { (1...length).contains($0) }.sorted().map { DateComponents(year: year, month: month, day: $0) }
    }
}
