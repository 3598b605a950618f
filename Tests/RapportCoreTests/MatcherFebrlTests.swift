import Foundation
import RapportCore
import Testing

/// Unsupervised duplicate detection on FEBRL: no label trains the model; labels only score it.
/// Splink reaches F1 0.9983 on dataset 3 and 0.9998 on dataset 4; the floor here is 0.995.
@Suite("Matcher on FEBRL")
struct MatcherFebrlTests {
    @Test(.enabled(if: FebrlDataset.isAvailable("dataset3.csv")))
    func deduplicatesDataset3() throws {
        let rows = try FebrlDataset.load("dataset3.csv")
        #expect(rows.count == 5000)
        var truth = Set<PairKey>()
        for members in Dictionary(grouping: rows, by: \.entity).values {
            for (position, first) in members.enumerated() {
                for second in members[(position + 1)...] { truth.insert(PairKey(first.customer.id, second.customer.id)) }
            }
        }
        #expect(truth.count == 6538)
        let quality = try match(rows.map { ($0.customer, "") }, pairing: .deduplicate, truth: truth, label: "dataset3")
        #expect(quality.f1 >= 0.995)
    }

    @Test(.enabled(if: FebrlDataset.isAvailable("dataset4a.csv", "dataset4b.csv")))
    func linksDataset4() throws {
        let left = try FebrlDataset.load("dataset4a.csv")
        let right = try FebrlDataset.load("dataset4b.csv")
        #expect(left.count == 5000 && right.count == 5000)
        let rightByEntity = Dictionary(grouping: right, by: \.entity)
        var truth = Set<PairKey>()
        for row in left {
            for other in rightByEntity[row.entity] ?? [] { truth.insert(PairKey(row.customer.id, other.customer.id)) }
        }
        #expect(truth.count == 5000)
        let records = left.map { ($0.customer, "a") } + right.map { ($0.customer, "b") }
        let quality = try match(records, pairing: .link, truth: truth, label: "dataset4 a×b")
        #expect(quality.f1 >= 0.995)
    }

    /// Indexes, estimates without labels, finds pairs at the review threshold and scores them.
    private func match(_ customers: [(Customer, String)], pairing: MatchPairing, truth: Set<PairKey>,
                       label: String) throws -> PairQuality {
        let profile = FebrlDataset.profile(pairing: pairing)
        let clock = ContinuousClock()
        let started = clock.now
        let index = try MatchIndex(profile: profile, records: customers.map { customer, source in
            MatchRecord(customer: customer, profile: profile, source: source)
        })
        let indexed = clock.now
        let model = MatchModel.estimate(from: index)
        let estimated = clock.now
        let pairs = try DuplicateFinder(profile: profile, model: model).duplicatePairs(in: index)
        let finished = clock.now
        if pairing == .link {
            let sources = Dictionary(uniqueKeysWithValues: customers.map { ($0.0.id, $0.1) })
            #expect(pairs.allSatisfy { sources[$0.firstID] != sources[$0.secondID] })
        }
        let quality = PairQuality(found: Set(pairs.map { PairKey($0.firstID, $0.secondID) }), truth: truth)
        print("FEBRL \(label): \(quality); λ \(model.matchProbability); index \(indexed - started), "
              + "estimate \(estimated - indexed), match \(finished - estimated) (debug build)")
        return quality
    }
}
