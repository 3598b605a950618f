import Foundation
@testable import RapportCore
import Testing

@Suite("Matcher comparisons")
struct MatcherComparisonTests {
    /// The grade `comparator` gives two values, through an index as the finder computes it.
    private func grade(_ comparator: FieldComparator, _ left: String?, _ right: String?,
                       source: FieldSource = .attribute("value"), normalization: ValueNormalization? = nil) throws -> Int? {
        let profile = MatchProfile(
            fields: [MatchField("value", source: source, comparator: comparator, normalization: normalization)],
            blockingRules: [.on(.name)], thresholds: MatchThresholds(review: 0.5, autoMerge: 0.9))
        let index = try MatchIndex(profile: profile, records: [
            MatchRecord(id: "left", values: left.map { [source: [$0]] } ?? [:]),
            MatchRecord(id: "right", values: right.map { [source: [$0]] } ?? [:]),
        ])
        let finder = try DuplicateFinder(profile: profile, model: MatchModel(defaultsFor: profile))
        return try #require(finder.comparison(between: "left", and: "right", in: index))[0]
    }

    @Test func levelsAreTriedInOrderAndElseComesLast() throws {
        let names = FieldComparator.jaroWinkler([0.92, 0.8])
        #expect(try grade(names, "martha", "martha") == 0)
        #expect(try grade(names, "MARTHA ", "martha") == 0)
        #expect(try grade(names, "martha", "marhta") == 1)
        #expect(try grade(names, "dwayne", "duane") == 2)
        #expect(try grade(names, "martha", "zebedee") == 3)
        #expect(try grade(names, "martha", nil) == nil)
        #expect(try grade(names, nil, nil) == nil)
    }

    @Test func editDistanceLevelsCountTranspositions() throws {
        let code = FieldComparator.code
        #expect(try grade(code, "1804974", "1804974", normalization: .digits) == 0)
        #expect(try grade(code, "1804974", "1809474", normalization: .digits) == 1)
        #expect(try grade(code, "1804974", "1840974", normalization: .digits) == 1)
        #expect(try grade(code, "1804974", "180497", normalization: .digits) == 1)
        #expect(try grade(code, "1804974", "2804975", normalization: .digits) == 2)
        #expect(try grade(code, "1804974", "5551234", normalization: .digits) == 3)
    }

    @Test func datesCompareWithTypicalErrors() throws {
        let date = FieldComparator.date
        #expect(try grade(date, "1956-04-09", "19560409") == 0)
        #expect(try grade(date, "1956-4-9", "1956-04-09") == 0)
        #expect(try grade(date, "1956-04-09", "1956-04-08") == 1)
        #expect(try grade(date, "1956-04-09", "1965-04-09") == 1)
        #expect(try grade(date, "1956-04-10", "1956-10-04") == 2)
        #expect(try grade(date, "1956-04-09", "1956-04-27") == 3)
        #expect(try grade(date, "1956-04-09", "1957-05-09") == 4)
        #expect(try grade(date, "1956-04-09", "1987-12-30") == 5)
    }

    @Test func namesCompareWordsInAnyOrderAndChineseByCharacter() throws {
        #expect(try grade(.name, "Ana López", "lopez ana", source: .name) == 1)
        #expect(try grade(.name, "张伟", "张伟", source: .name) == 0)
        let close = try #require(try grade(.name, "张伟", "张维", source: .name))
        #expect(close > 0 && close < FieldComparator.name.levels.count, "a one-character difference is a partial match")
        #expect(try grade(.name, "张伟", "李娜", source: .name) == FieldComparator.name.levels.count)
    }

    @Test func identitiesShareAnyEmailOrPhone() throws {
        let profile = MatchProfile(
            fields: [MatchField("contact", source: .contacts, comparator: .identity)],
            blockingRules: [.on(.contacts)], thresholds: MatchThresholds(review: 0.5, autoMerge: 0.9))
        func customer(_ id: String, _ identities: [Identity]) -> MatchRecord {
            MatchRecord(customer: Customer(id: id, kind: .person, name: id, identities: identities,
                                           createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0)),
                        profile: profile)
        }
        let index = try MatchIndex(profile: profile, records: [
            customer("a", [Identity(kind: .email, value: "ana@example.com"), Identity(kind: .phone, value: "+4930123456")]),
            customer("b", [Identity(kind: .email, value: "other@example.com"), Identity(kind: .phone, value: "+49 30 123456")]),
            customer("c", [Identity(kind: .email, value: " ANA@example.com ")]),
            customer("d", [Identity(kind: .email, value: "dora@example.com")]),
        ])
        let finder = try DuplicateFinder(profile: profile, model: MatchModel(defaultsFor: profile))
        #expect(finder.comparison(between: "a", and: "b", in: index)?[0] == 0)
        #expect(finder.comparison(between: "a", and: "c", in: index)?[0] == 0)
        #expect(finder.comparison(between: "a", and: "d", in: index)?[0] == 1)
    }

    @Test func normalizationFoldsCaseAccentsAndPunctuation() {
        #expect(ValueNormalization.text.normalize("  Müller-Lüdenscheidt ") == "muller ludenscheidt")
        #expect(ValueNormalization.text.normalize("O'Brien,  Seán") == "obrien sean")
        #expect(ValueNormalization.text.normalize("ＡＢＣ 张伟") == "abc 张伟")
        #expect(ValueNormalization.text.normalize(" .. ") == nil)
        #expect(ValueNormalization.phone.normalize("+49 (30) 123-456") == "+4930123456")
        #expect(ValueNormalization.email.normalize(" Ana@Example.COM") == "ana@example.com")
        #expect(ValueNormalization.date.normalize("1956-4-9") == "19560409")
        #expect(ValueNormalization.digits.normalize("SW 1804-974") == "1804974")
    }

    @Test func houseNumbersAreReadFromEitherEndOfLineOne() {
        #expect(StreetLine("12a Main Street").houseNumber == "12a")
        #expect(StreetLine("12a Main Street").street == "Main Street")
        #expect(StreetLine("Hauptstraße 5").houseNumber == "5")
        #expect(StreetLine("Hauptstraße 5").street == "Hauptstraße")
        #expect(StreetLine("Rose Cottage").houseNumber == nil)
    }

    /// The fast paths of the comparators must agree with the exact algorithms.
    @Test func fastEditChecksAgreeWithTheFullDistance() {
        var random = SeededRandom(seed: 99)
        let alphabet: [UInt32] = Array("abcab张".unicodeScalars.map(\.value))
        func word() -> [UInt32] {
            (0..<Int.random(in: 0...7, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
        }
        for _ in 0..<3000 {
            let left = word()
            let right = word()
            left.withUnsafeBufferPointer { left in
                right.withUnsafeBufferPointer { right in
                    let distance = DamerauLevenshtein.distance(left, right)
                    let shared = LevelGrader.sharedCharacterBound(left, right)
                    #expect(LevelGrader.withinOneEdit(left, right) == (distance <= 1), "\(Array(left)) \(Array(right))")
                    #expect(distance >= max(left.count, right.count) - shared)
                    #expect(JaroWinkler.similarity(left, right) <= LevelGrader.jaroWinklerBound(left.count, right.count, shared: shared) + 1e-12)
                }
            }
        }
    }
}
