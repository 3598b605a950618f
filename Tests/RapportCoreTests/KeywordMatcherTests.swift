import Testing
@testable import RapportCore

@Suite struct KeywordMatcherTests {
    /// `(set, term, start, end)` of every match, and checks each slice of the original.
    func found(_ sets: [KeywordSetDefinition], in text: String) throws -> [String] {
        let matcher = try KeywordMatcher(sets: sets)
        let scalars = Array(text.unicodeScalars)
        return matcher.matches(in: text).map { match in
            var slice = String.UnicodeScalarView()
            slice.append(contentsOf: scalars[match.start..<match.end])
            return "\(match.set):\(match.term)@\(match.start)-\(match.end)=\(String(slice))"
        }
    }

    func set(_ name: String, _ terms: [String], wholeWords: Bool = false) -> KeywordSetDefinition {
        KeywordSetDefinition(name: name, terms: terms, wholeWords: wholeWords)
    }

    @Test func matchesAcrossCase() throws {
        #expect(try found([set("refunds", ["refund"])], in: "REFUND please, Refund!") == [
            "refunds:refund@0-6=REFUND", "refunds:refund@15-21=Refund",
        ])
    }

    @Test func matchesFullWidthForms() throws {
        #expect(try found([set("refunds", ["refund"])], in: "I want a ＲＥＦＵＮＤ now") == ["refunds:refund@9-15=ＲＥＦＵＮＤ"])
        // And the other way round: a full-width term matches ASCII text.
        #expect(try found([set("refunds", ["ｒｅｆｕｎｄ"])], in: "refund") == ["refunds:ｒｅｆｕｎｄ@0-6=refund"])
    }

    @Test func matchesHalfWidthKatakana() throws {
        #expect(try found([set("kana", ["カタカナ", "ガイド"])], in: "これはｶﾀｶﾅとｶﾞｲﾄﾞです") == [
            "kana:カタカナ@3-7=ｶﾀｶﾅ", "kana:ガイド@8-13=ｶﾞｲﾄﾞ",
        ])
    }

    @Test func matchesSharpSAsDoubleS() throws {
        #expect(try found([set("streets", ["strasse"])], in: "Hauptstraße 1, STRASSE") == [
            "streets:strasse@5-11=straße", "streets:strasse@15-22=STRASSE",
        ])
        #expect(try found([set("streets", ["Straße"])], in: "strasse") == ["streets:Straße@0-7=strasse"])
    }

    @Test func wholeWordsRejectsPartsOfWords() throws {
        let sets = [set("cards", ["card"], wholeWords: true)]
        #expect(try found(sets, in: "cardboard card discard card.") == ["cards:card@10-14=card", "cards:card@23-27=card"])
        #expect(try found(sets, in: "card") == ["cards:card@0-4=card"])
        #expect(try found(sets, in: "(card),card;card\ncard") == [
            "cards:card@1-5=card", "cards:card@7-11=card", "cards:card@12-16=card", "cards:card@17-21=card",
        ])
        // Digits are word characters; `_` is punctuation.
        #expect(try found(sets, in: "card2 2card card_number") == ["cards:card@12-16=card"])
        // A letter with a combining mark is one word character.
        #expect(try found(sets, in: "carde\u{301} card\u{301}") == [])
    }

    @Test func substringsWithoutWholeWords() throws {
        #expect(try found([set("cards", ["card"])], in: "cardboard") == ["cards:card@0-4=card"])
    }

    @Test func wholeWordsAcrossFullWidthAndIgnorables() throws {
        let sets = [set("cards", ["card"], wholeWords: true)]
        #expect(try found(sets, in: "ＣＡＲＤ ｃａｒｄｂｏａｒｄ") == ["cards:card@0-4=ＣＡＲＤ"])
        // A zero-width space inside a word does not split it.
        #expect(try found(sets, in: "card\u{200B}board") == [])
    }

    @Test func chineseMatchesAsSubstrings() throws {
        #expect(try found([set("refunds", ["退款"], wholeWords: true)], in: "我要退款谢谢") == ["refunds:退款@2-4=退款"])
        #expect(try found([set("refunds", ["退款"])], in: "退款退款") == ["refunds:退款@0-2=退款", "refunds:退款@2-4=退款"])
    }

    @Test func wholeWordsNextToCJK() throws {
        // CJK characters are not word characters, so a Latin word next to them is whole.
        #expect(try found([set("brands", ["visa", "卡"], wholeWords: true)], in: "用visa卡付款") == [
            "brands:visa@1-5=visa", "brands:卡@5-6=卡",
        ])
    }

    @Test func mixedScripts() throws {
        let sets = [set("refunds", ["refund", "退款", "返金"]), set("cards", ["card", "カード"], wholeWords: true)]
        #expect(try found(sets, in: "Please REFUND my ｶｰﾄﾞ payment, 退款! 返金 card.") == [
            "refunds:refund@7-13=REFUND", "cards:カード@17-21=ｶｰﾄﾞ", "refunds:退款@31-33=退款",
            "refunds:返金@35-37=返金", "cards:card@38-42=card",
        ])
    }

    @Test func overlappingMatches() throws {
        #expect(try found([set("words", ["he", "she", "his", "hers"])], in: "ushers") == [
            "words:she@1-4=she", "words:he@2-4=he", "words:hers@2-6=hers",
        ])
    }

    @Test func manySetsInOnePass() throws {
        let sets = (0..<50).map { index in set("set-\(index)", ["term\(index)", "shared"], wholeWords: index % 2 == 0) }
        let matcher = try KeywordMatcher(sets: sets)
        let matches = matcher.matches(in: "xterm7 term8 shared term49")
        #expect(matches.filter { $0.term == "shared" }.count == 50)
        #expect(Set(matches.filter { $0.term != "shared" }.map(\.set)) == ["set-7", "set-8", "set-49"])
        #expect(matcher.matchedSets(in: "xterm7 term8") == ["set-7", "set-8"])
        #expect(matcher.matchedSetIndices(in: "xterm6 term8") == [8])
        #expect(matcher.matchedSets(in: "nothing here").isEmpty)
    }

    @Test func sameTermInSeveralSets() throws {
        #expect(try found([set("a", ["Refund"]), set("b", ["REFUND", "refund"])], in: "refund") == [
            "a:Refund@0-6=refund", "b:REFUND@0-6=refund",
        ])
    }

    @Test func offsetsCountScalarsNotGraphemes() throws {
        // The flag is two scalars, the family emoji seven; offsets are scalar offsets.
        #expect(try found([set("refunds", ["refund"])], in: "🇩🇪👨‍👩‍👧‍👦 refund") == ["refunds:refund@10-16=refund"])
    }

    @Test func termsInsideExpansions() throws {
        // `㍿` expands to 株式会社; a match inside it covers the whole original character.
        #expect(try found([set("company", ["会社"])], in: "ABC㍿") == ["company:会社@3-4=㍿"])
        // `ﬁ` expands to `fi`; `i` inside it is not a whole word.
        #expect(try found([set("letters", ["i"], wholeWords: true)], in: "ﬁ i") == ["letters:i@2-3=i"])
    }

    @Test func emptyInputs() throws {
        let matcher = try KeywordMatcher(sets: [])
        #expect(matcher.matches(in: "anything").isEmpty)
        #expect(try KeywordMatcher(sets: [set("a", ["x"])]).matches(in: "").isEmpty)
    }

    @Test func termsWithSpacesAreTrimmed() throws {
        #expect(try found([set("phrases", ["  credit card "])], in: "my credit card") == ["phrases:  credit card @3-14=credit card"])
    }

    @Test func smallDenseTableGivesTheSameMatches() throws {
        let sets = [set("a", ["he", "she", "his", "hers", "退款", "card"]), set("b", ["card", "ushers"], wholeWords: true)]
        let text = "ushers said 退款 and card, cardboard ushers"
        let full = try KeywordMatcher(sets: sets)
        for limit in [1, 10, 100] {
            let small = try KeywordMatcher(sets: sets, denseLimit: limit)
            #expect(small.matches(in: text) == full.matches(in: text))
        }
    }
}
