import Foundation
@testable import RapportCore
import Testing

/// Synthetic customers with known duplicates, from a seeded generator: every entity has one
/// original record and, with `duplicateShare`, one duplicate with typical corruptions.
struct SyntheticCustomers {
    struct Record {
        var customer: Customer
        var entity: Int
    }

    /// How often a duplicate keeps its birth date exactly, has one digit changed, or has day and month swapped.
    static let birthDateKept = 0.8
    static let birthDateTypo = 0.1

    static let givenNames = ["anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ida", "jonas",
                             "karin", "lukas", "mia", "noah", "olga", "paul", "rosa", "simon", "tina", "uwe",
                             "vera", "walter", "xenia", "yusuf", "zoe", "clara", "moritz", "nina", "oskar", "lena"]
    static let familyNames = ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker",
                              "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann", "schwarz",
                              "zimmermann", "braun", "krueger", "hofmann", "hartmann", "lange", "werner", "krause",
                              "lehmann", "koehler", "maier", "herrmann", "koenig", "walter", "okonkwo", "nakamura"]
    static let streets = ["hauptstrasse", "schulstrasse", "gartenweg", "bahnhofstrasse", "lindenallee",
                          "birkenweg", "am markt", "kirchgasse", "bergstrasse", "feldweg", "rosenweg", "seestrasse"]
    static let cities = ["berlin", "hamburg", "muenchen", "koeln", "frankfurt", "stuttgart", "leipzig", "dresden",
                         "bremen", "hannover", "nuernberg", "essen"]

    var records: [Record] = []

    init(entities: Int, duplicateShare: Double, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for entity in 0..<entities {
            let original = Self.original(entity, using: &random)
            records.append(Record(customer: original, entity: entity))
            if Double.random(in: 0..<1, using: &random) < duplicateShare {
                records.append(Record(customer: Self.duplicate(of: original, number: entity, using: &random), entity: entity))
            }
        }
        records.shuffle(using: &random)
    }

    /// The pairs of ids that are the same entity.
    var truePairs: Set<PairKey> {
        var pairs = Set<PairKey>()
        for members in Dictionary(grouping: records, by: \.entity).values {
            for (position, first) in members.enumerated() {
                for second in members[(position + 1)...] { pairs.insert(PairKey(first.customer.id, second.customer.id)) }
            }
        }
        return pairs
    }

    static func original(_ entity: Int, using random: inout SeededRandom) -> Customer {
        // Family names follow a steep curve, so some are common and others rare.
        let familyIndex = min(Int(pow(Double.random(in: 0..<1, using: &random), 2.5) * Double(familyNames.count)),
                              familyNames.count - 1)
        let given = givenNames[Int.random(in: 0..<givenNames.count, using: &random)]
        let family = familyNames[familyIndex]
        let birth = String(format: "%04d-%02d-%02d", Int.random(in: 1940...2005, using: &random),
                           Int.random(in: 1...12, using: &random), Int.random(in: 13...28, using: &random))
        let phone = "+4930" + String(Int.random(in: 1_000_000...9_999_999, using: &random))
        let email = "\(given).\(family)\(entity)@example.com"
        let address = Address(line1: "\(Int.random(in: 1...120, using: &random)) \(streets[Int.random(in: 0..<streets.count, using: &random)])",
                              city: cities[Int.random(in: 0..<cities.count, using: &random)],
                              postalCode: String(Int.random(in: 10000...99999, using: &random)), country: "DE")
        return customer(id: "c\(entity)", given: given, family: family, email: email, phone: phone, birth: birth, address: address)
    }

    static func duplicate(of original: Customer, number: Int, using random: inout SeededRandom) -> Customer {
        var given = original.givenName ?? ""
        var family = original.familyName ?? ""
        if Double.random(in: 0..<1, using: &random) < 0.3 { given = typo(given, using: &random) }
        if Double.random(in: 0..<1, using: &random) < 0.2 { family = typo(family, using: &random) }
        let email = Double.random(in: 0..<1, using: &random) < 0.6 ? original.emails.first : nil
        let phone = Double.random(in: 0..<1, using: &random) < 0.5 ? original.phones.first : nil
        var birth = original.attributes["date_of_birth"]?.stringValue ?? ""
        let draw = Double.random(in: 0..<1, using: &random)
        if draw >= birthDateKept + birthDateTypo {
            let parts = birth.split(separator: "-")
            birth = "\(parts[0])-\(parts[2])-\(parts[1])"
        } else if draw >= birthDateKept {
            var digits = Array(birth)
            let position = [2, 3, 9].randomElement(using: &random) ?? 3
            let current = digits[position].wholeNumberValue ?? 0
            digits[position] = Character(String((current + Int.random(in: 1...8, using: &random)) % 10))
            birth = String(digits)
        }
        var address = original.addresses.first ?? Address()
        if Double.random(in: 0..<1, using: &random) < 0.3 {
            address.line1 = typo(address.line1 ?? "", using: &random)
        }
        return customer(id: "d\(number)", given: given, family: family, email: email, phone: phone, birth: birth,
                        address: address)
    }

    /// One random substitution or swap of neighbours.
    static func typo(_ text: String, using random: inout SeededRandom) -> String {
        var characters = Array(text)
        guard characters.count > 2 else { return text }
        let position = Int.random(in: 1..<(characters.count - 1), using: &random)
        if Bool.random(using: &random) {
            characters.swapAt(position, position + 1)
        } else {
            characters[position] = Array("abcdefghijklmnopqrstuvwxyz").randomElement(using: &random) ?? "x"
        }
        return String(characters)
    }

    static func customer(id: String, given: String, family: String, email: String?, phone: String?, birth: String,
                         address: Address) -> Customer {
        var identities: [Identity] = []
        if let email { identities.append(Identity(kind: .email, value: email)) }
        if let phone { identities.append(Identity(kind: .phone, value: phone)) }
        return Customer(id: id, kind: .person, name: "\(given) \(family)", givenName: given, familyName: family,
                        identities: identities, addresses: [address], attributes: ["date_of_birth": .string(birth)],
                        createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    }

    /// A profile for these customers: the default fields, with given and family names apart.
    static let profile = MatchProfile(
        fields: [
            MatchField("given_name", source: .givenName, comparator: .name, termFrequency: true),
            MatchField("family_name", source: .familyName, comparator: .name, termFrequency: true),
            MatchField("email", source: .emails, comparator: .identity),
            MatchField("phone", source: .phones, comparator: .identity),
            MatchField("date_of_birth", source: .attribute("date_of_birth"), comparator: .date),
            MatchField("street", source: .addressStreet, comparator: .place),
            MatchField("postal_code", source: .addressPostalCode, comparator: .damerauLevenshtein([1])),
        ],
        blockingRules: [
            .on(.emails),
            .on(.phones),
            BlockingRule([BlockingKey(.attribute("date_of_birth"), transform: .sortedCharacters, normalization: .date)]),
            .on(.familyName, .addressPostalCode),
        ],
        thresholds: MatchThresholds(review: 0.5, autoMerge: 0.99)
    )

    func index(profile: MatchProfile = SyntheticCustomers.profile) throws -> MatchIndex {
        try MatchIndex(profile: profile, records: records.map { MatchRecord(customer: $0.customer, profile: profile) })
    }
}

@Suite("Matcher estimation on synthetic customers")
struct MatcherSyntheticTests {
    @Test func estimatesWithoutLabelsAndFindsTheDuplicates() throws {
        let data = SyntheticCustomers(entities: 1500, duplicateShare: 0.4, seed: 2024)
        let index = try data.index()
        let model = MatchModel.estimate(from: index, options: MatchTrainingOptions(seed: 7, randomPairs: 40_000))
        let truth = data.truePairs
        let allPairs = Double(index.count * (index.count - 1) / 2)
        let trueLambda = Double(truth.count) / allPairs
        print("λ estimated \(model.matchProbability), true \(trueLambda)")
        #expect(model.matchProbability > trueLambda / 2 && model.matchProbability < trueLambda * 2)

        // m of birth dates comes back close to how the generator corrupted them.
        let birth = try #require(model.fields.firstIndex { $0.name == "date_of_birth" })
        let birthM = model.m(birth)
        print("birth date m \(birthM)")
        #expect(abs(birthM[0] - SyntheticCustomers.birthDateKept) < 0.06)
        #expect(abs(birthM[1] - SyntheticCustomers.birthDateTypo) < 0.05)
        // Sharing an email is strong evidence, not sharing a street weak counter-evidence.
        let email = try #require(model.fields.firstIndex { $0.name == "email" })
        #expect(model.m(email)[0] > 0.9)
        #expect(model.u(email)[0] < 0.001)
        #expect(model.weights(email)[0] > 8)

        let finder = try DuplicateFinder(profile: SyntheticCustomers.profile, model: model)
        let found = Set(finder.duplicatePairs(in: index).map { PairKey($0.firstID, $0.secondID) })
        let quality = PairQuality(found: found, truth: truth)
        print("synthetic: \(quality)")
        #expect(quality.f1 > 0.97)
    }

    @Test func estimationIsDeterministicForASeed() throws {
        let index = try SyntheticCustomers(entities: 300, duplicateShare: 0.4, seed: 11).index()
        let options = MatchTrainingOptions(seed: 3, randomPairs: 5_000)
        let first = MatchModel.estimate(from: index, options: options)
        let second = MatchModel.estimate(from: index, options: options)
        #expect(first == second)
        let other = MatchModel.estimate(from: index, options: MatchTrainingOptions(seed: 4, randomPairs: 5_000))
        #expect(other != first)
    }

    @Test func expectationMaximizationRecoversKnownParameters() {
        // Two fields with known m and u; patterns counted exactly as the model implies.
        let m: [[Double]] = [[0.9, 0.1], [0.7, 0.2, 0.1]]
        let u: [[Double]] = [[0.05, 0.95], [0.01, 0.09, 0.9]]
        let lambda = 0.3
        var patterns: [ComparisonPattern] = []
        for first in 0..<2 {
            for second in 0..<3 {
                let probability = lambda * m[0][first] * m[1][second] + (1 - lambda) * u[0][first] * u[1][second]
                let vector = ComparisonVector(grades: [first, second]).packed
                patterns.append(ComparisonPattern(vector: vector, rules: 1, count: probability * 100_000))
            }
        }
        // A third, independent field makes the mixture identifiable.
        var extended: [ComparisonPattern] = []
        let third: ([Double], [Double]) = ([0.95, 0.05], [0.02, 0.98])
        for pattern in patterns {
            for grade in 0..<2 {
                let first = ComparisonVector.grade(pattern.vector, 0) ?? 0
                let second = ComparisonVector.grade(pattern.vector, 1) ?? 0
                let matchShare = lambda * m[0][first] * m[1][second] * third.0[grade]
                let otherShare = (1 - lambda) * u[0][first] * u[1][second] * third.1[grade]
                extended.append(ComparisonPattern(vector: ComparisonVector(grades: [first, second, grade]).packed,
                                                  rules: 1, count: (matchShare + otherShare) * 100_000))
            }
        }
        let em = ExpectationMaximization(u: u + [third.1], active: [true, true, true], maximumIterations: 500,
                                         tolerance: 1e-10)
        let outcome = em.run(extended, m: [[0.6, 0.4], [0.4, 0.3, 0.3], [0.6, 0.4]], lambda: 0.5)
        #expect(abs(outcome.lambda - lambda) < 0.01)
        for (field, expected) in (m + [third.0]).enumerated() {
            for (grade, value) in expected.enumerated() {
                #expect(abs(outcome.m[field][grade] - value) < 0.01, "field \(field) grade \(grade)")
            }
        }
    }
}
