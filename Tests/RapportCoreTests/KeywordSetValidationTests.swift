import Foundation
import Testing
@testable import RapportCore

@Suite struct KeywordSetValidationTests {
    func problems(_ sets: [KeywordSetDefinition]) -> [String] {
        do {
            _ = try KeywordMatcher(sets: sets)
            return []
        } catch {
            return error.problems.map { "\($0.path) \($0.code)" }
        }
    }

    @Test func reportsEveryBadTermWithItsPath() {
        let sets = [KeywordSetDefinition(name: "refunds", terms: ["refund", "", "  ", "!?", "a", String(repeating: "x", count: 201), "...a"])]
        #expect(problems(sets) == [
            "sets[0].terms[1] empty_term", "sets[0].terms[2] blank_term", "sets[0].terms[3] blank_term",
            "sets[0].terms[5] term_too_long",
        ])
    }

    @Test func acceptsTheLongestTermAndSymbols() {
        let sets = [KeywordSetDefinition(name: "ok", terms: [String(repeating: "é", count: 200), "$", "💳"])]
        #expect(problems(sets) == [])
    }

    @Test func checksSetNames() {
        let sets = [
            KeywordSetDefinition(name: "refunds", terms: ["a"]),
            KeywordSetDefinition(name: "Refunds", terms: ["a"]),
            KeywordSetDefinition(name: "", terms: ["a"]),
            KeywordSetDefinition(name: "refunds", terms: ["a"]),
            KeywordSetDefinition(name: String(repeating: "a", count: 65), terms: ["a"]),
            KeywordSetDefinition(name: "v1.cards_fr-ca", terms: ["a"]),
        ]
        #expect(problems(sets) == ["sets[1].name invalid_name", "sets[2].name invalid_name", "sets[3].name duplicate_name", "sets[4].name invalid_name"])
    }

    @Test func limitsTermsPerSet() {
        let terms = (0...KeywordMatcher.maxTermsPerSet).map { "t\($0)" }
        #expect(problems([KeywordSetDefinition(name: "big", terms: terms)]) == ["sets[0].terms too_many_terms"])
    }

    @Test func duplicateTermsAreFine() throws {
        let matcher = try KeywordMatcher(sets: [KeywordSetDefinition(name: "a", terms: ["card", "CARD", "ｃａｒｄ", "card"])])
        #expect(matcher.matches(in: "card").map(\.term) == ["card"])
    }

    @Test func messagesAreReadable() {
        do {
            _ = try KeywordMatcher(sets: [KeywordSetDefinition(name: "a b", terms: ["", "--"])])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == """
                sets[0].name: a set name is 1 to 64 of a-z, 0-9, '_', '.' and '-', not "a b"
                sets[0].terms[0]: a term must not be empty
                sets[0].terms[1]: the term "--" has no letters, digits or symbols
                """)
        }
    }

    @Test func decodesWholeWordsInSnakeCase() throws {
        let json = #"{"name":"cards","terms":["card"],"whole_words":true}"#
        let set = try JSONDecoder().decode(KeywordSetDefinition.self, from: Data(json.utf8))
        #expect(set == KeywordSetDefinition(name: "cards", terms: ["card"], wholeWords: true))
        let plain = try JSONDecoder().decode(KeywordSetDefinition.self, from: Data(#"{"name":"a","terms":[]}"#.utf8))
        #expect(plain.wholeWords == false)
    }
}
