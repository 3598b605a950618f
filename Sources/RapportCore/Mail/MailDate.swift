/// RFC 5322 dates (`Tue, 1 Dec 2026 10:00:00 +0800`), with the obsolete forms mail still
/// carries: named zones (`GMT`, `EST`, `PDT`…), two-digit years, missing seconds or weekday,
/// and comments (`+0000 (UTC)`). Nil when the text is not a date.
public enum MailDate {
    public static func parse(_ text: String) -> Timestamp? {
        var tokens: [Substring] = []
        var depth = 0
        var token = ""
        func push() { if !token.isEmpty { tokens.append(Substring(token)); token = "" } }
        for character in text {
            if character == "(" { push(); depth += 1; continue }
            if character == ")" { depth = max(0, depth - 1); continue }
            if depth > 0 { continue }
            if character == " " || character == "\t" || character == "," || character == "\r" || character == "\n" { push(); continue }
            token.append(character)
        }
        push()
        if let first = tokens.first, first.last != nil, Int(first) == nil, monthNumber(first) == nil { tokens.removeFirst() }  // weekday
        guard tokens.count >= 4 else { return nil }
        var day: Int?, month: Int?
        // `1 Dec 2026` or, as some mailers write, `Dec 1 2026`.
        if let value = Int(tokens[0]) { day = value; month = monthNumber(tokens[1]) } else { month = monthNumber(tokens[0]); day = Int(tokens[1]) }
        guard let day, let month, (1...31).contains(day), tokens[2].allSatisfy(\.isASCIIDigit), var year = Int(tokens[2]) else { return nil }
        if tokens[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if tokens[2].count == 3 { year += 1900 }
        // A year no mail was written in is not a date (and would overflow the arithmetic below).
        guard (1000...9999).contains(year) else { return nil }
        let time = tokens[3].split(separator: ":")
        guard time.count >= 2, let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = time.count > 2 ? Int(time[2].prefix(2)) ?? 0 : 0
        guard (0...60).contains(second) else { return nil }
        let offsetMinutes = tokens.count > 4 ? zoneOffset(tokens[4]) ?? 0 : 0
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return Timestamp(microseconds: seconds * 1_000_000)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ token: Substring) -> Int? {
        let prefix = token.prefix(3).lowercased()
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    private static func zoneOffset(_ token: Substring) -> Int? {
        if let sign = token.first, sign == "+" || sign == "-", token.count == 5, let value = Int(token.dropFirst()) {
            let minutes = value / 100 * 60 + value % 100
            return sign == "-" ? -minutes : minutes
        }
        switch token.uppercased() {
        case "UT", "UTC", "GMT", "Z": return 0
        case "EST": return -300
        case "EDT": return -240
        case "CST": return -360
        case "CDT": return -300
        case "MST": return -420
        case "MDT": return -360
        case "PST": return -480
        case "PDT": return -420
        default: return nil
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
