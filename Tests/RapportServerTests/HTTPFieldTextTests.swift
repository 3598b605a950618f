@testable import RapportServer
import Testing

/// The optional whitespace of HTTP field values (spaces and tabs) trimmed without Foundation.
@Suite("HTTP: field values without their optional whitespace") struct HTTPFieldTextTests {
    @Test func spacesAndTabsAroundAValueGo() {
        #expect(" \tapplication/json \t".trimmingHTTPSpace() == "application/json")
        #expect("Bearer  rpk_1 ".split(separator: " ", maxSplits: 1)[1].trimmingHTTPSpace() == "rpk_1")
    }

    @Test func whatIsInsideAValueAndOtherWhitespaceStay() {
        #expect(" a b ".trimmingHTTPSpace() == "a b")
        // Only SP and HTAB are HTTP's optional whitespace: a line break or a no-break space is part of the value.
        #expect("\na\u{00A0}".trimmingHTTPSpace() == "\na\u{00A0}")
        #expect("日本 ".trimmingHTTPSpace() == "日本")
    }

    @Test func nothingButWhitespaceLeavesNothing() {
        #expect("  \t ".trimmingHTTPSpace() == "")
        #expect("".trimmingHTTPSpace() == "")
    }
}
