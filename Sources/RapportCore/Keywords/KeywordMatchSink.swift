/// Receives matches from `KeywordMatcher.scan`.
protocol KeywordMatchSink {
    /// Whether the sink reads scalar offsets; without them the scan skips counting scalars.
    static var needsOffsets: Bool { get }
    /// One accepted match of automaton entry `entry` (a term of set `set`), at original scalar
    /// offsets `start..<end` (both 0 when `needsOffsets` is false).
    mutating func accept(entry: Int, set: Int, start: Int, end: Int)
}

/// Collects matches as `KeywordMatch` values.
struct KeywordMatchCollector: KeywordMatchSink {
    static var needsOffsets: Bool { true }
    let matcher: KeywordMatcher
    var matches: [KeywordMatch] = []

    mutating func accept(entry: Int, set: Int, start: Int, end: Int) {
        matches.append(KeywordMatch(set: matcher.setNames[set], term: matcher.entryTerms[entry], start: start, end: end))
    }
}

/// Marks which sets matched.
struct KeywordSetMarker: KeywordMatchSink {
    static var needsOffsets: Bool { false }
    var matched: [Bool]

    init(setCount: Int) {
        matched = [Bool](repeating: false, count: setCount)
    }

    mutating func accept(entry: Int, set: Int, start: Int, end: Int) {
        matched[set] = true
    }
}
