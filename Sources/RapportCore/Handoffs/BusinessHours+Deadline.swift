import Foundation

extension BusinessHours {
    /// The moment `minutes` of opening time after `start` have passed: time outside the intervals
    /// and on closed dates does not count (an SLA of 4 business hours asked at 16:00 on a Friday,
    /// open 09:00-17:00 on weekdays, is due at 12:00 on Monday). Hours with no interval in a year
    /// count every minute.
    public func deadline(adding minutes: Int, to start: Timestamp) -> Timestamp {
        deadline(addingMicroseconds: Int64(minutes) * 60_000_000, to: start)
    }

    /// The moment `microseconds` of opening time after `start` have passed; with none, the first
    /// open moment from `start` on.
    public func deadline(addingMicroseconds microseconds: Int64, to start: Timestamp) -> Timestamp {
        let calendar = localCalendar
        var remaining = microseconds
        let startDate = start.date
        guard var day = calendar.dateInterval(of: .day, for: startDate)?.start else { return start.adding(.microseconds(microseconds)) }
        for _ in 0..<370 {
            if isOpenDate(day, in: calendar) {
                for interval in sortedIntervals(on: day, in: calendar) {
                    guard let opens = calendar.date(byAdding: .minute, value: interval.lowerBound, to: day),
                          let closes = calendar.date(byAdding: .minute, value: interval.upperBound, to: day) else { continue }
                    let from = Timestamp(max(opens, startDate))
                    let until = Timestamp(closes)
                    guard from < until else { continue }
                    let open = until.microseconds - from.microseconds
                    if remaining <= open { return Timestamp(microseconds: from.microseconds + remaining) }
                    remaining -= open
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return start.adding(.microseconds(microseconds))
    }

    /// `days` business days after `start`: from the first open moment at or after `start`, the
    /// same time of day on the `days`-th open date after it (a date with opening hours that is not
    /// closed). Friday 16:00 plus two business days is Tuesday 16:00; Saturday 10:00 plus one is
    /// Tuesday 09:00 (the first open moment, Monday 09:00, then one open date on). Hours with no
    /// open date in a year count calendar days.
    public func adding(businessDays days: Int, to start: Timestamp) -> Timestamp {
        guard days > 0 else { return start }
        let calendar = localCalendar
        let from = deadline(addingMicroseconds: 0, to: start).date
        guard var day = calendar.dateInterval(of: .day, for: from)?.start else { return start.adding(.seconds(Int64(days) * 86_400)) }
        let timeOfDay = calendar.dateComponents([.hour, .minute, .second, .nanosecond], from: from)
        var counted = 0
        for _ in 0..<(370 + days * 7) {
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
            guard isOpenDate(day, in: calendar), !sortedIntervals(on: day, in: calendar).isEmpty else { continue }
            counted += 1
            if counted == days {
                let moment = calendar.date(bySettingHour: timeOfDay.hour ?? 0, minute: timeOfDay.minute ?? 0, second: timeOfDay.second ?? 0, of: day) ?? day
                return Timestamp(moment).adding(.microseconds(Int64((timeOfDay.nanosecond ?? 0) / 1_000)))
            }
        }
        return start.adding(.seconds(Int64(days) * 86_400))
    }

    private var localCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Whether the local date starting at `day` is not a closed date.
    private func isOpenDate(_ day: Date, in calendar: Calendar) -> Bool {
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        guard let year = parts.year, let month = parts.month, let date = parts.day else { return false }
        return !closedDates.contains(String(format: "%04d-%02d-%02d", year, month, date))
    }

    private func sortedIntervals(on day: Date, in calendar: Calendar) -> [Range<Int>] {
        let weekday = calendar.component(.weekday, from: day)
        // Calendar counts Sunday as 1; ours starts on Monday.
        let isoWeekday = weekday == 1 ? 7 : weekday - 1
        return (intervals[isoWeekday] ?? []).sorted { $0.lowerBound < $1.lowerBound }
    }
}
