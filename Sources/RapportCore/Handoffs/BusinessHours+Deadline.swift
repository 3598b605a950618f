import Foundation

extension BusinessHours {
    /// The moment `minutes` of opening time after `start` have passed: time outside the intervals
    /// and on closed dates does not count (an SLA of 4 business hours asked at 16:00 on a Friday,
    /// open 09:00-17:00 on weekdays, is due at 12:00 on Monday). Hours with no interval in a year
    /// count every minute.
    public func deadline(adding minutes: Int, to start: Timestamp) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var remaining = Int64(minutes) * 60_000_000
        let startDate = start.date
        guard var day = calendar.dateInterval(of: .day, for: startDate)?.start else { return start.adding(.seconds(Int64(minutes) * 60)) }
        for _ in 0..<370 {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let year = parts.year, let month = parts.month, let date = parts.day, let weekday = parts.weekday,
               !closedDates.contains(String(format: "%04d-%02d-%02d", year, month, date)) {
                let isoWeekday = weekday == 1 ? 7 : weekday - 1
                for interval in (intervals[isoWeekday] ?? []).sorted(by: { $0.lowerBound < $1.lowerBound }) {
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
        return start.adding(.seconds(Int64(minutes) * 60))
    }
}
