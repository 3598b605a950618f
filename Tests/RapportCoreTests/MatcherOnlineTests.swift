import Foundation
import RapportCore
import Testing

/// The online path (one record at a time, as a server calls it on every write) must agree
/// with the batch over the same records, also after records are added, changed and removed.
@Suite("Matcher online index")
struct MatcherOnlineTests {
    private static let lowThreshold = 1e-6

    private func pairsByKey(_ pairs: [ScoredPair]) -> [PairKey: Double] {
        Dictionary(pairs.map { (PairKey($0.firstID, $0.secondID), $0.weight) }, uniquingKeysWith: { first, _ in first })
    }

    private func onlinePairs(_ finder: DuplicateFinder, _ index: MatchIndex, ids: [String]) -> [PairKey: Double] {
        var found: [PairKey: Double] = [:]
        for id in ids {
            for pair in finder.candidates(forID: id, in: index, minimumProbability: Self.lowThreshold) {
                found[PairKey(pair.firstID, pair.secondID)] = pair.weight
            }
        }
        return found
    }

    private func expectSame(_ left: [PairKey: Double], _ right: [PairKey: Double]) {
        #expect(Set(left.keys) == Set(right.keys))
        for (key, weight) in left {
            guard let other = right[key] else { continue }
            #expect(abs(weight - other) < 1e-9, "\(key)")
        }
    }

    @Test func candidatesOfEachRecordMatchTheBatch() throws {
        let data = SyntheticCustomers(entities: 300, duplicateShare: 0.5, seed: 17)
        let index = try data.index()
        let model = MatchModel.estimate(from: index, options: MatchTrainingOptions(seed: 1, randomPairs: 10_000))
        let finder = try DuplicateFinder(profile: SyntheticCustomers.profile, model: model)
        let batch = pairsByKey(finder.duplicatePairs(in: index, minimumProbability: Self.lowThreshold))
        #expect(batch.count > 100)
        expectSame(onlinePairs(finder, index, ids: data.records.map(\.customer.id)), batch)
    }

    @Test func addingChangingAndRemovingRecordsKeepsTheIndexExact() throws {
        let data = SyntheticCustomers(entities: 300, duplicateShare: 0.5, seed: 23)
        let profile = SyntheticCustomers.profile
        var customers = data.records.map(\.customer)
        var random = SeededRandom(seed: 5)
        // Start from part of the records, then add the rest, change some and remove some.
        var index = try MatchIndex(profile: profile, records: customers.prefix(200).map {
            MatchRecord(customer: $0, profile: profile)
        })
        for customer in customers.dropFirst(200) { index.upsert(MatchRecord(customer: customer, profile: profile)) }
        for position in stride(from: 0, to: customers.count, by: 7) {
            customers[position].familyName = SyntheticCustomers.typo(customers[position].familyName ?? "x", using: &random)
            customers[position].identities.removeAll { $0.kind == .phone }
            index.upsert(MatchRecord(customer: customers[position], profile: profile))
        }
        var removed = Set<String>()
        for position in stride(from: 3, to: customers.count, by: 11) {
            let wasThere = index.remove(id: customers[position].id)
            #expect(wasThere)
            removed.insert(customers[position].id)
        }
        let unknownRemoved = index.remove(id: "no such id")
        #expect(!unknownRemoved)
        let remaining = customers.filter { !removed.contains($0.id) }
        #expect(index.count == remaining.count)
        let fresh = try MatchIndex(profile: profile, records: remaining.map { MatchRecord(customer: $0, profile: profile) })

        let model = MatchModel.estimate(from: fresh, options: MatchTrainingOptions(seed: 1, randomPairs: 10_000))
        let finder = try DuplicateFinder(profile: profile, model: model)
        let rebuilt = pairsByKey(finder.duplicatePairs(in: fresh, minimumProbability: Self.lowThreshold))
        expectSame(pairsByKey(finder.duplicatePairs(in: index, minimumProbability: Self.lowThreshold)), rebuilt)
        expectSame(onlinePairs(finder, index, ids: remaining.map(\.id)), rebuilt)
        #expect(finder.candidates(forID: customers[3].id, in: index).isEmpty, "a removed record has no candidates")
    }

    @Test func aRecordLookedUpBeforeItIsAddedFindsTheSameCandidates() throws {
        let data = SyntheticCustomers(entities: 300, duplicateShare: 0.5, seed: 29)
        let profile = SyntheticCustomers.profile
        let newcomers = data.records.filter { $0.customer.id.hasPrefix("d") }.prefix(40).map(\.customer)
        let newIDs = Set(newcomers.map(\.id))
        var index = try MatchIndex(profile: profile, records: data.records.filter { !newIDs.contains($0.customer.id) }.map {
            MatchRecord(customer: $0.customer, profile: profile)
        })
        let model = MatchModel.estimate(from: index, options: MatchTrainingOptions(seed: 1, randomPairs: 10_000))
        let finder = try DuplicateFinder(profile: profile, model: model)
        var foundOriginals = 0
        for customer in newcomers {
            let record = MatchRecord(customer: customer, profile: profile)
            let before = finder.candidates(for: record, in: index, minimumProbability: Self.lowThreshold)
            index.upsert(record)
            let after = finder.candidates(forID: customer.id, in: index, minimumProbability: Self.lowThreshold)
            index.remove(id: customer.id)
            // Term frequencies count the record once it is in, so only the candidates must agree.
            #expect(Set(before.map(\.secondID)) == Set(after.map(\.secondID)))
            if before.first?.secondID == "c" + customer.id.dropFirst() { foundOriginals += 1 }
        }
        #expect(foundOriginals >= 36, "the original is the best candidate of \(foundOriginals) of 40 duplicates")
    }
}
