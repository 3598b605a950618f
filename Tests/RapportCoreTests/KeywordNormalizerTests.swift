import Testing
@testable import RapportCore

@Suite struct KeywordNormalizerTests {
    let normalizer = KeywordNormalizer()

    @Test func foldsCase() {
        #expect(normalizer.normalized("REFUND Refund refund") == "refund refund refund")
        #expect(normalizer.normalized("ΣΑΣ ς") == "σασ σ")
    }

    /// Full case folding: `ß` and `ẞ` become `ss`, so `Straße`, `STRASSE` and `strasse` are one word.
    @Test func foldsSharpS() {
        #expect(normalizer.normalized("Straße") == "strasse")
        #expect(normalizer.normalized("STRAẞE") == "strasse")
        #expect(normalizer.normalized("STRASSE") == "strasse")
    }

    @Test func mapsFullWidthToASCII() {
        #expect(normalizer.normalized("ＲＥＦＵＮＤ　１２３") == "refund 123")
    }

    @Test func mapsHalfWidthKatakana() {
        #expect(normalizer.normalized("ｶﾀｶﾅ") == "カタカナ")
        // The voiced sound mark composes with the kana before it, as NFKC does.
        #expect(normalizer.normalized("ｶﾞｷﾞ") == "ガギ")
    }

    @Test func expandsCompatibilityCharacters() {
        #expect(normalizer.normalized("ﬁle") == "file")
        #expect(normalizer.normalized("㍿") == "株式会社")
    }

    @Test func composesCombiningMarks() {
        #expect(normalizer.normalized("Cafe\u{301}") == "café")
    }

    @Test func removesDefaultIgnorables() {
        #expect(normalizer.normalized("re\u{AD}fund\u{200B}s") == "refunds")
    }

    @Test func leavesChineseAlone() {
        #expect(normalizer.normalized("我要退款") == "我要退款")
    }

    @Test func originsPointIntoTheOriginal() {
        let text = "aＢ\u{200B}ß㍿e\u{301}"
        let normalized = normalizer.normalize(text)
        #expect(normalized.string == "abss株式会社é")
        #expect(normalized.origins == [0..<1, 1..<2, 3..<4, 3..<4, 4..<5, 4..<5, 4..<5, 4..<5, 5..<7])
    }

    @Test func unchangedSegmentsKeepPerScalarOrigins() {
        // `x` + U+0301 has no precomposed form: both scalars stay and keep their own origins.
        let normalized = normalizer.normalize("x\u{301}")
        #expect(normalized.origins == [0..<1, 1..<2])
    }
}
