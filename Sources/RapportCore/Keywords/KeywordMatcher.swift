/// Keyword sets compiled into one automaton, so that a text is scanned once for all of them.
///
/// Text and terms are normalized alike (see `KeywordNormalizer`): `ＲＥＦＵＮＤ` matches `refund`,
/// half-width `ｶﾀｶﾅ` matches `カタカナ`, `STRASSE` matches `Straße`. Sets with `wholeWords`
/// only report terms that are not part of a longer word (`card` is not found in `cardboard`);
/// Chinese, Japanese and Korean are always matched as substrings (`退款` is found in `我要退款谢谢`).
/// Offsets are Unicode scalar offsets into the original text.
///
/// Building is the expensive part; a matcher is immutable and can be shared across tasks.
public struct KeywordMatcher: Sendable {
    /// The most terms one set may have.
    public static let maxTermsPerSet = 200_000
    /// The longest term, in Unicode scalars as written.
    public static let maxTermLength = 200

    /// The names of the sets, in the order they were given; `matchedSetIndices(in:)` indexes this.
    public let setNames: [String]
    let automaton: KeywordAutomaton
    /// The term as written for each automaton entry.
    let entryTerms: [String]

    /// Validates and compiles keyword sets.
    ///
    /// - Throws: `KeywordSetError` listing every problem found (up to 100), each with the path of
    ///   its field, e.g. `sets[0].terms[3]`: an empty term, a term that is nothing but spaces and
    ///   punctuation once normalized, a term longer than `maxTermLength` scalars, an invalid or
    ///   repeated set name, a set with more than `maxTermsPerSet` terms.
    public init(sets: [KeywordSetDefinition]) throws(KeywordSetError) {
        try self.init(sets: sets, denseLimit: KeywordAutomaton.defaultDenseLimit)
    }

    /// Compiles with at most `denseLimit` precomputed transitions (tests and benchmarks vary it).
    init(sets: [KeywordSetDefinition], denseLimit: Int) throws(KeywordSetError) {
        let compiled = KeywordSetCompilation(sets: sets)
        guard compiled.problems.isEmpty else { throw KeywordSetError(problems: compiled.problems) }
        setNames = sets.map(\.name)
        automaton = KeywordAutomaton(patterns: compiled.patterns, entries: compiled.entries, denseLimit: denseLimit)
        entryTerms = automaton.entryPattern.map { compiled.terms[$0] }
    }

    /// Every occurrence of every set's terms in `text`, ordered by where they end (longer terms
    /// first among those ending at the same place, then by set). Overlapping occurrences are
    /// all reported: `he`, `she` and `hers` are all found in `ushers`.
    public func matches(in text: String) -> [KeywordMatch] {
        var collector = KeywordMatchCollector(matcher: self)
        scan(text, into: &collector)
        return collector.matches
    }

    /// The names of the sets that have at least one term in `text`.
    public func matchedSets(in text: String) -> Set<String> {
        Set(matchedSetIndices(in: text).map { setNames[$0] })
    }

    /// The indices (into `setNames`) of the sets that have at least one term in `text`, ascending.
    /// Cheaper than `matchedSets(in:)`: no offsets are computed and no strings are made.
    public func matchedSetIndices(in text: String) -> [Int] {
        var marker = KeywordSetMarker(setCount: setNames.count)
        scan(text, into: &marker)
        return marker.matched.indices.filter { marker.matched[$0] }
    }
}
