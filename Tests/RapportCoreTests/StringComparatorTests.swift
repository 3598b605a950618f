import Foundation
@testable import RapportCore
import Testing

@Suite("String comparators")
struct StringComparatorTests {
    @Test(arguments: [
        ("MARTHA", "MARHTA", 0.9611),
        ("DWAYNE", "DUANE", 0.8400),
        ("DIXON", "DICKSONX", 0.8133),
        ("JELLYFISH", "SMELLYFISH", 0.8963),
        ("", "", 1.0),
        ("abc", "", 0.0),
        ("abc", "xyz", 0.0),
    ])
    func jaroWinklerMatchesPublishedValues(_ lhs: String, _ rhs: String, _ expected: Double) {
        #expect(abs(JaroWinkler.similarity(lhs, rhs) - expected) < 0.0001)
        #expect(abs(JaroWinkler.similarity(rhs, lhs) - expected) < 0.0001)
    }

    @Test func chineseNamesCompareByCharacter() {
        #expect(JaroWinkler.similarity("王小明", "王小明") == 1)
        let close = JaroWinkler.similarity("王小明", "王晓明")
        let far = JaroWinkler.similarity("王小明", "李大伟")
        #expect(close > 0.7)
        #expect(far == 0)
        #expect(DamerauLevenshtein.distance("王小明", "王明小") == 1)
    }

    @Test(arguments: [
        ("kitten", "sitting", 3),
        ("CA", "ABC", 2),
        ("ab", "ba", 1),
        ("", "abc", 3),
        ("abc", "abc", 0),
        ("abcdef", "badcfe", 3),
        ("smith", "smiht", 1),
    ])
    func damerauLevenshteinCountsTranspositions(_ lhs: String, _ rhs: String, _ expected: Int) {
        #expect(DamerauLevenshtein.distance(lhs, rhs) == expected)
        #expect(DamerauLevenshtein.distance(rhs, lhs) == expected)
    }

    @Test func distanceIsAMetricOnRandomStrings() {
        var random = SeededRandom(seed: 77)
        let alphabet = Array("abcd")
        func word() -> String { String((0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for _ in 0..<500 {
            let (a, b, c) = (word(), word(), word())
            let ab = DamerauLevenshtein.distance(a, b)
            #expect((ab == 0) == (a == b))
            #expect(ab == DamerauLevenshtein.distance(b, a))
            #expect(ab <= DamerauLevenshtein.distance(a, c) + DamerauLevenshtein.distance(c, b), "\(a) \(b) \(c)")
            #expect(ab <= max(a.count, b.count))
        }
    }
}
