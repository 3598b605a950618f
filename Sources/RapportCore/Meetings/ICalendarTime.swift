import Foundation

/// Date-times as iCalendar writes them: UTC (`20261203T090000Z`), local time in a named zone
/// (`TZID=Europe/Berlin:20261203T100000`), floating local time, or a whole day (`VALUE=DATE`).
public enum ICalendarTime {
    /// The instant a DTSTART/DTEND/RECURRENCE-ID property names; floating and whole-day times
    /// are read in `fallback`. Nil when it is not a date-time.
    public static func instant(_ property: ICalendarProperty, fallback: TimeZone = TimeZone(identifier: "UTC")!) -> Timestamp? {
        let value = property.value.trimmingCharacters(in: .whitespaces)
        let zone = property.parameters["TZID"].flatMap(zone(named:)) ?? fallback
        return instant(value, in: zone)
    }

    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` (in `zone`) or `YYYYMMDDTHHMMSSZ`.
    public static func instant(_ value: String, in zone: TimeZone) -> Timestamp? {
        let digits = Array(value.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            return Int(String(decoding: digits[range], as: UTF8.self))
        }
        guard digits.count >= 8, let year = number(0..<4), let month = number(4..<6), let day = number(6..<8) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var utc = false
        if digits.count > 8 {
            guard digits.count >= 15, digits[8] == UInt8(ascii: "T"), let hour = number(9..<11), let minute = number(11..<13),
                  let second = number(13..<15) else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = second
            utc = digits.count == 16 && digits[15] == UInt8(ascii: "Z")
            guard digits.count == 15 || utc else { return nil }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc ? TimeZone(identifier: "UTC")! : zone
        guard (1...12).contains(month), (1...31).contains(day), let date = calendar.date(from: components) else { return nil }
        return Timestamp(date)
    }

    /// A zone by its IANA name, also as Outlook writes some (`W. Europe Standard Time` is not read).
    public static func zone(named name: String) -> TimeZone? {
        TimeZone(identifier: name.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")))
    }

    /// `YYYYMMDDTHHMMSSZ`.
    public static func utc(_ time: Timestamp) -> String {
        local(time, in: TimeZone(identifier: "UTC")!) + "Z"
    }

    /// `YYYYMMDDTHHMMSS` as a clock in `zone` shows `time`.
    public static func local(_ time: Timestamp, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time.date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day) + "T" + two(parts.hour) + two(parts.minute)
            + two(parts.second)
    }

    /// A VTIMEZONE for `zone`: its standard and daylight observances, each with the yearly rule
    /// its switch follows (`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`), read from Foundation's transitions
    /// in the year of `time`, so calendar programs without the IANA database (Outlook) place every
    /// occurrence of a repeating meeting right, in any year.
    public static func timeZoneComponent(_ zone: TimeZone, around time: Timestamp) -> ICalendarComponent {
        var component = ICalendarComponent("VTIMEZONE", properties: [ICalendarProperty("TZID", zone.identifier)])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: time.date)
        let start = calendar.date(from: DateComponents(year: year, month: 1, day: 1)) ?? time.date
        let end = calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1)) ?? time.date
        func offset(_ seconds: Int) -> String {
            let sign = seconds < 0 ? "-" : "+"
            let value = abs(seconds)
            return sign + String(format: "%02d%02d", value / 3_600, value % 3_600 / 60)
        }
        var transitions: [Date] = []
        var cursor = start
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end, transitions.count < 4 {
            transitions.append(next)
            cursor = next
        }
        guard !transitions.isEmpty else {
            let seconds = zone.secondsFromGMT(for: time.date)
            component.components.append(ICalendarComponent("STANDARD", properties: [
                ICalendarProperty("DTSTART", "19700101T000000"), ICalendarProperty("TZOFFSETFROM", offset(seconds)),
                ICalendarProperty("TZOFFSETTO", offset(seconds)),
            ]))
            return component
        }
        let codes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        for transition in transitions {
            let before = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: transition)
            // DTSTART of an observance is the wall-clock time just before the change.
            let wall = transition.addingTimeInterval(Double(before))
            let parts = calendar.dateComponents([.month, .day, .weekday], from: wall)
            let day = parts.day ?? 1
            let length = calendar.range(of: .day, in: .month, for: wall)?.count ?? 31
            let ordinal = day + 7 > length ? -1 : (day - 1) / 7 + 1
            let rule = "FREQ=YEARLY;BYMONTH=\(parts.month ?? 1);BYDAY=\(ordinal)\(codes[(parts.weekday ?? 1) - 1])"
            // The rule's first switch in 1970, so it covers every year a feed's meetings reach.
            let weekday = parts.weekday ?? 1
            let month = parts.month ?? 1
            let days = (1...31).compactMap { day -> Int? in
                guard let date = calendar.date(from: DateComponents(year: 1970, month: month, day: day)),
                      calendar.component(.month, from: date) == month, calendar.component(.weekday, from: date) == weekday else { return nil }
                return day
            }
            let firstDay = ordinal < 0 ? days.last : (days.indices.contains(ordinal - 1) ? days[ordinal - 1] : days.last)
            let clock = calendar.dateComponents([.hour, .minute, .second], from: wall)
            let first = calendar.date(from: DateComponents(year: 1970, month: month, day: firstDay ?? 1, hour: clock.hour, minute: clock.minute,
                                                           second: clock.second)) ?? wall
            component.components.append(ICalendarComponent(zone.isDaylightSavingTime(for: transition) ? "DAYLIGHT" : "STANDARD", properties: [
                ICalendarProperty("DTSTART", Self.local(Timestamp(first), in: TimeZone(identifier: "UTC")!)),
                ICalendarProperty("TZOFFSETFROM", offset(before)), ICalendarProperty("TZOFFSETTO", offset(after)),
                ICalendarProperty("RRULE", rule),
            ]))
        }
        return component
    }
}
