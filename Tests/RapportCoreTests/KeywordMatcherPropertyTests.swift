import Testing
@testable import RapportCore

/// The automaton against a naive matcher: normalize the text with `KeywordNormalizer`, look for
/// every normalized term at every position, check word boundaries on the normalized scalars,
/// and map back through the normalizer's origins.
@Suite struct KeywordMatcherPropertyTests {
    /// Pieces texts and terms are made of: case variants, full-width and half-width forms,
    /// combining marks, ignorables, expansions, CJK, emoji, punctuation and digits.
    static let pieces: [String] = [
        "a", "b", "c", "A", "B", "s", "S", "e", " ", " ", ".", "-", "_", "1", "2",
        "ａ", "Ｂ", "ｃ", "ß", "ẞ", "\u{301}", "é", "e\u{301}", "\u{200B}", "\u{AD}", "ﬁ", "i", "f",
        "ｶ", "ﾞ", "ｶﾞ", "カ", "ガ", "ﾀ", "タ", "退", "款", "株", "会", "社", "㍿", "😀", "Σ", "ς", "σ", "\n", "x", "\u{301}\u{3099}", "ㅎ", "ㅏ", "하", "İ", "ǅ", "ｰ", "ー", "\u{FE0F}",
    ]

    static func naiveMatches(_ sets: [KeywordSetDefinition], in text: String) -> [KeywordMatch] {
        let normalizer = KeywordNormalizer()
        let normalized = normalizer.normalize(text)
        let scalars = normalized.scalars.map(\.value)
        func isWord(_ index: Int) -> Bool {
            scalars.indices.contains(index) && KeywordWordBoundary.isWord(scalars[index])
        }
        var result: [KeywordMatch] = []
        for set in sets {
            var seen = Set<[UInt32]>()
            for term in set.terms {
                let scalarsOfTerm = normalizer.normalize(term).scalars
                guard let first = scalarsOfTerm.firstIndex(where: { !$0.properties.isWhitespace }),
                      let last = scalarsOfTerm.lastIndex(where: { !$0.properties.isWhitespace }) else { continue }
                let pattern = scalarsOfTerm[first...last].map(\.value)
                guard seen.insert(pattern).inserted, pattern.count <= scalars.count else { continue }
                for start in 0...(scalars.count - pattern.count) where scalars[start..<start + pattern.count].elementsEqual(pattern) {
                    let end = start + pattern.count
                    if set.wholeWords {
                        if KeywordWordBoundary.isWord(pattern.first!), isWord(start - 1) { continue }
                        if KeywordWordBoundary.isWord(pattern.last!), isWord(end) { continue }
                    }
                    result.append(KeywordMatch(set: set.name, term: term, start: normalized.origins[start].lowerBound,
                                               end: normalized.origins[end - 1].upperBound))
                }
            }
        }
        return result
    }

    static func sorted(_ matches: [KeywordMatch]) -> [String] {
        matches.map { "\($0.start)-\($0.end) \($0.set) \($0.term.debugDescription)" }.sorted()
    }

    static func randomText(_ generator: inout SeededRandom, pieces count: ClosedRange<Int>) -> String {
        var text = ""
        for _ in 0..<Int.random(in: count, using: &generator) { text += pieces.randomElement(using: &generator)! }
        return text
    }

    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func agreesWithNaiveMatching(seed: UInt64) throws {
        var generator = SeededRandom(seed: seed)
        for round in 0..<250 {
            var sets: [KeywordSetDefinition] = []
            for index in 0..<Int.random(in: 1...3, using: &generator) {
                var terms: [String] = []
                while terms.count < Int.random(in: 1...6, using: &generator) {
                    let term = Self.randomText(&generator, pieces: 1...3)
                    let normalized = KeywordNormalizer().normalize(term).scalars
                    if normalized.contains(where: { !KeywordSetCompilation.isBlank($0) }) { terms.append(term) }
                }
                sets.append(KeywordSetDefinition(name: "set\(index)", terms: terms, wholeWords: Bool.random(using: &generator)))
            }
            let text = Self.randomText(&generator, pieces: 0...40)
            let denseLimit = [1, 50, 1 << 22].randomElement(using: &generator)!
            let matcher = try KeywordMatcher(sets: sets, denseLimit: denseLimit)
            let expected = Self.sorted(Self.naiveMatches(sets, in: text))
            let actual = Self.sorted(matcher.matches(in: text))
            #expect(actual == expected, "seed \(seed) round \(round): text \(text.debugDescription), sets \(sets)")
            let expectedSets = Set(Self.naiveMatches(sets, in: text).map(\.set))
            #expect(matcher.matchedSets(in: text) == expectedSets, "seed \(seed) round \(round)")
            if actual != expected { return }
        }
    }

    /// Long texts with many checkpoints (full-width letters, zero-width spaces) and a long term,
    /// so the scanner's ring of checkpoints wraps around many times.
    @Test func longTextsWithLongTerms() throws {
        var generator = SeededRandom(seed: 99)
        let long = String(repeating: "ａ\u{200B}b", count: 60)
        let sets = [
            KeywordSetDefinition(name: "long", terms: [long, "ab", "ａｂａ"], wholeWords: false),
            KeywordSetDefinition(name: "words", terms: ["ab", "ba"], wholeWords: true),
        ]
        let matcher = try KeywordMatcher(sets: sets)
        for _ in 0..<20 {
            var text = ""
            for _ in 0..<Int.random(in: 100...600, using: &generator) {
                text += ["a", "ａ", "b", "Ｂ", "\u{200B}", "\u{200B}\u{200B}", " ", "ß"].randomElement(using: &generator)!
            }
            text += long + " " + long.uppercased()
            #expect(Self.sorted(matcher.matches(in: text)) == Self.sorted(Self.naiveMatches(sets, in: text)))
        }
    }
}
