import Foundation

/// Instant with microsecond precision, stored as microseconds since the Unix epoch (UTC).
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    /// Microseconds since 1970-01-01T00:00:00Z; negative before it.
    public var microseconds: Int64

    /// Creates the instant `microseconds` after the Unix epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Creates the instant nearest to `date`, at microsecond precision.
    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        if micros >= 9.2e18 {
            microseconds = .max
        } else if micros <= -9.2e18 {
            microseconds = .min
        } else {
            microseconds = micros.isNaN ? 0 : Int64(micros)
        }
    }

    /// The current time from the system clock.
    public static func now() -> Timestamp {
        Timestamp(Date())
    }

    /// The same instant as a Foundation date.
    public var date: Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// Orders timestamps from earlier to later.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    /// Decodes an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let timestamp = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid RFC 3339 timestamp")
        }
        self = timestamp
    }

    /// Encodes as an RFC 3339 UTC string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}

extension Timestamp: CustomStringConvertible {
    /// The RFC 3339 UTC form.
    public var description: String {
        rfc3339
    }
}

// MARK: - RFC 3339

extension Timestamp {
    static let microsPerSecond: Int64 = 1_000_000
    static let secondsPerDay: Int64 = 86_400
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the range the text form covers.
    private static let earliest = Int64(-62_135_596_800) * 1_000_000
    private static let latest = Int64(253_402_300_800) * 1_000_000 - 1

    /// Parses RFC 3339 text such as 2026-11-22T05:00:00.123456+02:00; nil for impossible dates, leap seconds or a missing offset.
    ///
    /// Lowercase `t` and `z` are accepted; a fraction of up to 9 digits is truncated to microseconds.
    /// Instants outside 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999Z are rejected.
    public init?(rfc3339 text: String) {
        var text = text
        guard let micros = text.withUTF8({ Self.parseRFC3339($0) }) else { return nil }
        self.init(microseconds: micros)
    }

    /// RFC 3339 in UTC: "YYYY-MM-DDTHH:MM:SS.mmmZ", or six fraction digits when the instant has sub-millisecond precision.
    public var rfc3339: String {
        let seconds = Self.floorDivide(microseconds, Self.microsPerSecond)
        let fraction = microseconds - seconds * Self.microsPerSecond
        let days = Self.floorDivide(seconds, Self.secondsPerDay)
        let secondOfDay = seconds - days * Self.secondsPerDay
        let (year, month, day) = Self.civil(fromDays: days)

        var out: [UInt8] = []
        out.reserveCapacity(32)
        if year < 0 {
            out.append(UInt8(ascii: "-"))
        }
        Self.appendDigits(year.magnitude, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendDigits(UInt64(month), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendDigits(UInt64(day), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendDigits(UInt64(secondOfDay / 3600), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendDigits(UInt64(secondOfDay / 60 % 60), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendDigits(UInt64(secondOfDay % 60), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        if fraction % 1000 == 0 {
            Self.appendDigits(UInt64(fraction / 1000), width: 3, to: &out)
        } else {
            Self.appendDigits(UInt64(fraction), width: 6, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` and returns microseconds since the epoch.
    private static func parseRFC3339(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cursor = 0
        func number(_ width: Int) -> Int64? {
            guard cursor + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<width {
                let digit = bytes[cursor] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
                cursor += 1
            }
            return value
        }
        func expect(_ options: UInt8...) -> Bool {
            guard cursor < bytes.count, options.contains(bytes[cursor]) else { return false }
            cursor += 1
            return true
        }

        guard let year = number(4), expect(UInt8(ascii: "-")),
              let month = number(2), expect(UInt8(ascii: "-")),
              let day = number(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t")),
              let hour = number(2), expect(UInt8(ascii: ":")),
              let minute = number(2), expect(UInt8(ascii: ":")),
              let second = number(2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var fractionMicros: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while cursor < bytes.count, bytes[cursor] &- UInt8(ascii: "0") < 10 {
                digits += 1
                guard digits <= 9 else { return nil }
                if digits <= 6 {
                    fractionMicros = fractionMicros * 10 + Int64(bytes[cursor] - UInt8(ascii: "0"))
                }
                cursor += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) {
                fractionMicros *= 10
            }
        }

        var offsetSeconds: Int64 = 0
        if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "+") || bytes[cursor] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[cursor] == UInt8(ascii: "-") ? -1 : 1
            cursor += 1
            guard let offsetHour = number(2), expect(UInt8(ascii: ":")), let offsetMinute = number(2),
                  offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        } else {
            return nil
        }
        guard cursor == bytes.count else { return nil }

        let localSeconds = days(fromYear: year, month: month, day: day) * secondsPerDay
            + hour * 3600 + minute * 60 + second
        let micros = (localSeconds - offsetSeconds) * microsPerSecond + fractionMicros
        guard micros >= earliest, micros <= latest else { return nil }
        return micros
    }

    private static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func appendDigits(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        var length = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            length += 1
        }
        // Zeros first, then the digits from the last one back: no reversing of a slice.
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, length)))
        var position = out.count - 1
        var rest = value
        repeat {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            position -= 1
        } while rest > 0
    }
}
