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
