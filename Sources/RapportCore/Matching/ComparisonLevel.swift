/// One rung of a comparator's ladder: a test that two values pass or fail.
///
/// A pair of values takes the first level of its comparator that it passes; a pair that passes
/// none is at the comparator's final "else" level, and a pair with a value missing on either
/// side is at no level at all (it neither supports nor opposes a match).
public enum ComparisonLevel: Sendable, Hashable {
    /// The normalized values are equal.
    case exact
    /// Jaro–Winkler similarity at least the threshold (0...1).
    case jaroWinkler(atLeast: Double)
    /// Damerau–Levenshtein distance at most this many edits.
    case damerauLevenshtein(atMost: Int)
    /// The same words in any order ("Lopez Ana" and "Ana Lopez").
    case sameWords
    /// Dates (`yyyymmdd`) with day and month swapped and the year equal.
    case dayMonthSwapped
    /// Dates (`yyyymmdd`) in the same year and month.
    case sameYearAndMonth

    /// The stored name of the level, e.g. `jaro_winkler>=0.92`.
    public var code: String {
        switch self {
        case .exact: "exact"
        case .jaroWinkler(let threshold): "jaro_winkler>=\(threshold)"
        case .damerauLevenshtein(let distance): "damerau_levenshtein<=\(distance)"
        case .sameWords: "same_words"
        case .dayMonthSwapped: "day_month_swapped"
        case .sameYearAndMonth: "same_year_and_month"
        }
    }

    /// The level that `code` names, or nil when it names none.
    public init?(code: String) {
        switch code {
        case "exact": self = .exact
        case "same_words": self = .sameWords
        case "day_month_swapped": self = .dayMonthSwapped
        case "same_year_and_month": self = .sameYearAndMonth
        default:
            if code.hasPrefix("jaro_winkler>="), let threshold = Double(code.dropFirst("jaro_winkler>=".count)),
               (0...1).contains(threshold) {
                self = .jaroWinkler(atLeast: threshold)
            } else if code.hasPrefix("damerau_levenshtein<="),
                      let distance = Int(code.dropFirst("damerau_levenshtein<=".count)), distance >= 0 {
                self = .damerauLevenshtein(atMost: distance)
            } else {
                return nil
            }
        }
    }
}

/// An ordered list of comparison levels, best first, that grades how well two values agree.
public struct FieldComparator: Sendable, Hashable {
    /// The levels, best first; the implicit last level ("else") holds every pair that passes none.
    public var levels: [ComparisonLevel]

    /// The most levels a comparator may have besides "else".
    public static let maximumLevels = 13

    public init(levels: [ComparisonLevel]) {
        self.levels = levels
    }

    /// The number of grades including "else".
    public var gradeCount: Int { levels.count + 1 }

    /// The name of a grade: a level's code, or `else` for the last.
    public func gradeName(_ grade: Int) -> String {
        grade < levels.count ? levels[grade].code : "else"
    }

    /// Equal or not.
    public static let exact = FieldComparator(levels: [.exact])

    /// Equal, then Jaro–Winkler at each threshold (highest first).
    public static func jaroWinkler(_ thresholds: [Double]) -> FieldComparator {
        FieldComparator(levels: [.exact] + thresholds.sorted(by: >).map { .jaroWinkler(atLeast: $0) })
    }

    /// Equal, then within each number of edits (fewest first).
    public static func damerauLevenshtein(_ distances: [Int]) -> FieldComparator {
        FieldComparator(levels: [.exact] + distances.sorted().map { .damerauLevenshtein(atMost: $0) })
    }

    /// Personal names: equal, the same words reordered, close by Jaro–Winkler, then one edit
    /// apart, which also grades short names such as Chinese ones (张伟 and 张维) as close.
    public static let name = FieldComparator(levels: [
        .exact, .sameWords, .jaroWinkler(atLeast: 0.92), .jaroWinkler(atLeast: 0.8), .damerauLevenshtein(atMost: 1),
    ])

    /// Streets, places and other free text: equal, then by Jaro–Winkler.
    public static let place = FieldComparator.jaroWinkler([0.92, 0.8])

    /// Dates: equal, one typing error or swapped adjacent digits, day and month swapped,
    /// same year and month, two edits.
    public static let date = FieldComparator(levels: [
        .exact, .damerauLevenshtein(atMost: 1), .dayMonthSwapped, .sameYearAndMonth, .damerauLevenshtein(atMost: 2),
    ])

    /// Identity numbers and codes: equal, then one and two edits apart.
    public static let code = FieldComparator.damerauLevenshtein([1, 2])

    /// Emails and phones: a shared value is strong evidence, anything else is none.
    public static let identity = FieldComparator.exact
}
