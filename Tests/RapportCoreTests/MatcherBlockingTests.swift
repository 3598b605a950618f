import Foundation
@testable import RapportCore
import Testing

@Suite("Matcher blocking")
struct MatcherBlockingTests {
    private func candidatePairs(_ index: MatchIndex) -> [(Int, Int, UInt64)] {
        index.withTables { tables in
            var pairs: [(Int, Int, UInt64)] = []
            for piece in tables.candidatePieces(pieceCount: 3) {
                tables.forEachCandidatePair(in: piece) { pairs.append(($0, $1, $2)) }
            }
            return pairs
        }
    }

    @Test func everyCandidatePairComesOnceAndNotAllPairsAreCompared() throws {
        let data = SyntheticCustomers(entities: 400, duplicateShare: 0.5, seed: 5)
        let index = try data.index()
        let pairs = candidatePairs(index)
        let keys = pairs.map { PairKey(index.ids[$0.0], index.ids[$0.1]) }
        #expect(Set(keys).count == keys.count, "no pair twice")
        let allPairs = index.count * (index.count - 1) / 2
        #expect(pairs.count < allPairs / 20, "\(pairs.count) of \(allPairs) pairs")

        // Exactly the pairs that share a key of some rule, found by brute force.
        let profile = SyntheticCustomers.profile
        let keysByRecord = data.records.map { row in
            index.plan.prepare(MatchRecord(customer: row.customer, profile: profile)).ruleKeys.map { Set($0) }
        }
        var expected = Set<PairKey>()
        for first in data.records.indices {
            for second in (first + 1)..<data.records.count
            where zip(keysByRecord[first], keysByRecord[second]).contains(where: { !$0.isDisjoint(with: $1) }) {
                expected.insert(PairKey(data.records[first].customer.id, data.records[second].customer.id))
            }
        }
        #expect(Set(keys) == expected)
        // Blocking keeps almost every true pair.
        let recall = Double(data.truePairs.intersection(expected).count) / Double(data.truePairs.count)
        #expect(recall > 0.98)
    }

    @Test func pairsReportEveryRuleThatFindsThem() throws {
        let profile = MatchProfile(
            fields: [MatchField("name", source: .name, comparator: .name)],
            blockingRules: [.on(.emails), BlockingRule([BlockingKey(.name, transform: .prefix(3))])],
            thresholds: MatchThresholds(review: 0.5, autoMerge: 0.9))
        let index = try MatchIndex(profile: profile, records: [
            MatchRecord(id: "a", values: [.name: ["Anna Berg"], .emails: ["x@example.com", "y@example.com"]]),
            MatchRecord(id: "b", values: [.name: ["Annabel Lee"], .emails: ["y@example.com", "x@example.com"]]),
            MatchRecord(id: "c", values: [.name: ["Anne Frank"], .emails: ["z@example.com"]]),
            MatchRecord(id: "d", values: [.name: ["Bo Diddley"], .emails: ["z@example.com"]]),
        ])
        let pairs = candidatePairs(index).map { (PairKey(index.ids[$0.0], index.ids[$0.1]), $0.2) }
        let rules = Dictionary(uniqueKeysWithValues: pairs)
        #expect(pairs.count == 4)
        #expect(rules[PairKey("a", "b")] == 0b11, "two shared emails and a shared prefix, still one pair")
        #expect(rules[PairKey("a", "c")] == 0b10)
        #expect(rules[PairKey("b", "c")] == 0b10)
        #expect(rules[PairKey("c", "d")] == 0b01)
    }

    @Test func transformsMakeKeysForSwappedWordsAndDigits() {
        #expect(BlockingTransform.sortedWords.apply("smith john") == BlockingTransform.sortedWords.apply("john smith"))
        #expect(BlockingTransform.sortedCharacters.apply("1804974") == BlockingTransform.sortedCharacters.apply("1809474"))
        #expect(BlockingTransform.prefix(2).apply("张伟强") == "张伟")
        #expect(BlockingTransform(code: BlockingTransform.prefix(4).code) == .prefix(4))
    }

    @Test func linkingPairsOnlyAcrossSourcesAndLargeBlocksAreSkipped() throws {
        var profile = MatchProfile(
            fields: [MatchField("city", source: .addressCity, comparator: .exact)],
            blockingRules: [.on(.addressCity)], thresholds: MatchThresholds(review: 0.5, autoMerge: 0.9), pairing: .link)
        let records = (0..<6).map { number in
            MatchRecord(id: "r\(number)", source: number < 3 ? "crm" : "shop",
                        values: [.addressCity: [number == 5 ? "Bonn" : "Berlin"]])
        }
        let linked = candidatePairs(try MatchIndex(profile: profile, records: records))
        #expect(linked.count == 3 * 2, "three CRM records with two shop records in Berlin")
        profile.pairing = .deduplicate
        profile.maximumBlockSize = 4
        #expect(candidatePairs(try MatchIndex(profile: profile, records: records)).isEmpty, "Berlin's block of 5 is skipped")
    }

    @Test func invalidProfilesAreRefused() {
        let profile = MatchProfile(fields: [], blockingRules: [], thresholds: MatchThresholds(review: 0.9, autoMerge: 0.5))
        #expect(profile.problems.count == 3)
        #expect(throws: MatchConfigurationError.self) { try MatchIndex(profile: profile) }
    }
}
