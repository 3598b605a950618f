import Foundation
import RapportCore
import Testing

@Suite("Matcher model")
struct MatcherModelTests {
    private static let profile = MatchProfile(
        fields: [
            MatchField("family_name", source: .familyName, comparator: .name, termFrequency: true),
            MatchField("date_of_birth", source: .attribute("date_of_birth"), comparator: .date),
        ],
        blockingRules: [.on(.familyName)],
        thresholds: MatchThresholds(review: 0.5, autoMerge: 0.99)
    )

    private func record(_ id: String, _ family: String, _ birth: String) -> MatchRecord {
        MatchRecord(id: id, values: [.familyName: [family], .attribute("date_of_birth"): [birth]])
    }

    @Test func aSharedCommonNameWeighsLessThanASharedRareOne() throws {
        var records = (0..<40).map { record("smith\($0)", "Smith", "1980-01-\(10 + $0 % 18)") }
        records += [record("rare1", "Okonkwo", "1970-02-02"), record("rare2", "Okonkwo", "1971-03-03")]
        records += (0..<20).map { record("other\($0)", "Name\($0)", "1990-01-01") }
        let index = try MatchIndex(profile: Self.profile, records: records)
        let finder = try DuplicateFinder(profile: Self.profile, model: MatchModel(defaultsFor: Self.profile))
        let common = try #require(finder.explanation(between: "smith1", and: "smith2", in: index))
        let rare = try #require(finder.explanation(between: "rare1", and: "rare2", in: index))
        #expect(common.fields[0].grade == "exact" && rare.fields[0].grade == "exact")
        #expect(common.fields[0].termFrequencyAdjusted && rare.fields[0].termFrequencyAdjusted)
        #expect(rare.fields[0].weight > common.fields[0].weight + 3, "40 Smiths against 2 Okonkwos: log2(20) bits apart")
        // The explanation adds up to the pair's weight, as the finder scores it.
        #expect(abs(rare.priorWeight + rare.fields.map(\.weight).reduce(0, +) - rare.weight) < 1e-9)
        let scored = finder.candidates(forID: "rare1", in: index, minimumProbability: 1e-9)
        #expect(scored.count == 1 && abs(scored[0].weight - rare.weight) < 1e-9)
    }

    @Test func labelsMoveWeightsTheRightWay() throws {
        let model = MatchModel(defaultsFor: Self.profile)
        let elseGrade = FieldComparator.date.levels.count
        // Confirmed duplicates whose birth dates disagree: disagreement should count against less.
        let confirmed = Array(repeating: ComparisonVector(grades: [0, elseGrade]), count: 30)
        // Rejected pairs with the same family name: agreement on it should count for less.
        let rejected = Array(repeating: ComparisonVector(grades: [0, nil]), count: 30)
        let refined = model.refined(confirmed: confirmed, rejected: rejected)
        #expect(refined.weights(1)[elseGrade] > model.weights(1)[elseGrade])
        #expect(refined.weights(0)[0] < model.weights(0)[0])
        #expect(refined.fields[1].confirmed[elseGrade] == 30)
        // Missing values are no evidence either way.
        #expect(refined.fields[1].rejected.reduce(0, +) == 0)
        // Labels accumulate over refinements.
        let twice = refined.refined(confirmed: confirmed, rejected: [])
        #expect(twice.weights(1)[elseGrade] > refined.weights(1)[elseGrade])
    }

    @Test func modelsRoundTripThroughJSON() throws {
        let model = MatchModel(defaultsFor: Self.profile)
            .refined(confirmed: [ComparisonVector(grades: [1, 0])], rejected: [ComparisonVector(grades: [0, 5])])
        let text = model.json.jsonString
        let decoded = try MatchModel(json: try JSONParser.parse(text))
        #expect(decoded == model)
        #expect(decoded.problems(with: Self.profile).isEmpty)
        #expect(throws: MatchConfigurationError.self) { try MatchModel(json: ["format": "something else"]) }
        var broken = model
        broken.fields[0].grades.removeLast()
        #expect(!broken.problems(with: Self.profile).isEmpty)
        #expect(throws: MatchConfigurationError.self) { try DuplicateFinder(profile: Self.profile, model: broken) }
    }

    @Test func profilesRoundTripThroughJSON() throws {
        for profile in [MatchProfile.default, FebrlDataset.profile(pairing: .link), Self.profile] {
            let decoded = try MatchProfile(json: try JSONParser.parse(profile.json.jsonString))
            #expect(decoded == profile)
        }
        var json = try #require(MatchProfile.default.json.objectValue)
        json["fields"] = [["name": "x", "source": "nowhere", "levels": ["exact"]]]
        #expect(throws: MatchConfigurationError.self) { try MatchProfile(json: .object(json)) }
    }

    @Test func thresholdsDecideWhatHappensToAPair() {
        let thresholds = MatchThresholds(reviewWeight: 0, autoMergeWeight: 10)
        #expect(thresholds.review == 0.5)
        #expect(thresholds.decision(for: 0.2) == .distinct)
        #expect(thresholds.decision(for: 0.5) == .review)
        #expect(thresholds.decision(for: MatchWeight.probability(ofWeight: 10.5)) == .autoMerge)
    }

    @Test func aNewEstimateKeepsTheLabelsOfTheOldModel() throws {
        let labelled = MatchModel(defaultsFor: Self.profile).refined(confirmed: [ComparisonVector(grades: [0, 0])], rejected: [])
        let empty = try MatchIndex(profile: Self.profile)
        let estimated = MatchModel.estimate(from: empty)
        #expect(estimated.problems(with: Self.profile).isEmpty, "an empty index gives the default model")
        let kept = estimated.keepingLabels(of: labelled)
        #expect(kept.fields[0].confirmed[0] == 1 && kept.fields[1].confirmed[0] == 1)
    }

    @Test func clustersJoinPairsTransitively() {
        let vector = ComparisonVector(grades: [0])
        let pairs = [("a", "b"), ("c", "b"), ("d", "e"), ("f", "f")].map {
            ScoredPair(firstID: $0.0, secondID: $0.1, weight: 10, comparison: vector)
        }
        #expect(DuplicateClusters.clusters(of: pairs) == [["a", "b", "c"], ["d", "e"]])
    }
}
