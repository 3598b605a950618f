import Foundation
import Testing
@testable import RapportCore

@Suite("Timestamp")
struct TimestampTests {
    private static let second: Int64 = 1_000_000

    private static let validTexts: [(String, Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("2026-11-22T03:00:00Z", 1_795_316_400 * second),
        ("2000-01-01T00:00:00Z", 946_684_800 * second),
        ("2024-02-29T12:00:00Z", 1_709_208_000 * second),
        ("1969-07-20T20:17:40Z", -14_182_940 * second),
        ("0001-01-01T00:00:00Z", -62_135_596_800 * second),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799 * second + 999_999),
        ("2026-11-22t03:00:00z", 1_795_316_400 * second),
        ("2026-11-22T05:00:00+02:00", 1_795_316_400 * second),
        ("2026-11-21T21:30:00-05:30", 1_795_316_400 * second),
        ("2026-11-22T03:00:00-00:00", 1_795_316_400 * second),
        ("2026-11-22T03:00:00.5Z", 1_795_316_400 * second + 500_000),
        ("2026-11-22T05:00:00.123456+02:00", 1_795_316_400 * second + 123_456),
        ("2026-11-22T03:00:00.123456789Z", 1_795_316_400 * second + 123_456),
        ("2026-11-22T03:00:00.000001Z", 1_795_316_400 * second + 1),
        ("1969-12-31T23:59:59.9Z", -100_000),
    ]

    @Test(arguments: validTexts)
    func parsesValidText(text: String, microseconds: Int64) {
        #expect(Timestamp(rfc3339: text)?.microseconds == microseconds)
    }

    @Test func offsetsCrossMidnightAndYears() {
        #expect(Timestamp(rfc3339: "2026-11-22T01:30:00+02:00") == Timestamp(rfc3339: "2026-11-21T23:30:00Z"))
        #expect(Timestamp(rfc3339: "2026-12-31T23:30:00-01:00") == Timestamp(rfc3339: "2027-01-01T00:30:00Z"))
        #expect(Timestamp(rfc3339: "2024-03-01T00:30:00+01:00") == Timestamp(rfc3339: "2024-02-29T23:30:00Z"))
        #expect(Timestamp(rfc3339: "2023-03-01T00:30:00+01:00") == Timestamp(rfc3339: "2023-02-28T23:30:00Z"))
        #expect(Timestamp(rfc3339: "2026-01-01T00:00:00+14:00")?.rfc3339 == "2025-12-31T10:00:00.000Z")
        #expect(Timestamp(rfc3339: "2025-12-31T23:59:59.999-12:00")?.rfc3339 == "2026-01-01T11:59:59.999Z")
    }

    @Test(arguments: [
        ("2024-02-29T00:00:00Z", true),
        ("2000-02-29T00:00:00Z", true),
        ("2023-02-29T00:00:00Z", false),
        ("1900-02-29T00:00:00Z", false),
        ("2100-02-29T00:00:00Z", false),
        ("2023-02-28T00:00:00Z", true),
        ("2024-02-30T00:00:00Z", false),
    ])
    func knowsLeapYears(text: String, valid: Bool) {
        #expect((Timestamp(rfc3339: text) != nil) == valid)
    }

    @Test(arguments: [
        "",
        "2026-11-22",
        "2026-11-22T03:00:00",
        "2026-11-22T03:00Z",
        "2026-11-22 03:00:00Z",
        " 2026-11-22T03:00:00Z",
        "2026-11-22T03:00:00Z ",
        "2026-11-22T03:00:00ZZ",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T23:60:00Z",
        "2026-11-22T23:59:60Z",
        "2026-11-22T23:59:61Z",
        "2026-11-22T03:00:00.Z",
        "2026-11-22T03:00:00.1234567890Z",
        "2026-11-22T03:00:00,5Z",
        "2026-11-22T03:00:00+02",
        "2026-11-22T03:00:00+0200",
        "2026-11-22T03:00:00+2:00",
        "2026-11-22T03:00:00+24:00",
        "2026-11-22T03:00:00+02:60",
        "2026-11-22T03:00:00 +02:00",
        "2026-1-22T03:00:00Z",
        "26-11-22T03:00:00Z",
        "+2026-11-22T03:00:00Z",
        "20260-11-22T03:00:00Z",
        "2026/11/22T03:00:00Z",
        "2026-11-22T3:00:00Z",
        "2026-11-22T03:00:0aZ",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "٢٠٢٦-11-22T03:00:00Z",
        "2026-11-22T03:00:00UTC",
    ])
    func rejectsInvalidText(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    private static let formattedTexts: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_795_316_400 * second, "2026-11-22T03:00:00.000Z"),
        (1_795_316_400 * second + 123_000, "2026-11-22T03:00:00.123Z"),
        (1_795_316_400 * second + 123_456, "2026-11-22T03:00:00.123456Z"),
        (1_795_316_400 * second + 1_500, "2026-11-22T03:00:00.001500Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (-1_000, "1969-12-31T23:59:59.999Z"),
        (-14_182_940 * second, "1969-07-20T20:17:40.000Z"),
        (-62_135_596_800 * second, "0001-01-01T00:00:00.000Z"),
        (253_402_300_799 * second + 999_999, "9999-12-31T23:59:59.999999Z"),
        (1_709_208_000 * second, "2024-02-29T12:00:00.000Z"),
    ]

    @Test(arguments: formattedTexts)
    func formatsUTC(microseconds: Int64, text: String) {
        #expect(Timestamp(microseconds: microseconds).rfc3339 == text)
        #expect(Timestamp(microseconds: microseconds).description == text)
    }

    @Test func formattingRoundTripsAcrossTheWholeRange() throws {
        let seed: UInt64 = 20_261_122
        var random = SeededRandom(seed: seed)
        let earliest = Int64(-62_135_596_800) * Self.second
        let latest = Int64(253_402_300_800) * Self.second - 1
        for _ in 0..<5000 {
            var micros = Int64.random(in: earliest...latest, using: &random)
            if Bool.random(using: &random) {
                micros -= micros % 1000
            }
            let text = Timestamp(microseconds: micros).rfc3339
            #expect(Timestamp(rfc3339: text)?.microseconds == micros, "seed \(seed): \(micros) -> \(text)")
        }
    }

    @Test func civilDateMathAgreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var random = SeededRandom(seed: 7)
        for _ in 0..<500 {
            // 1901 through 2199, where Foundation's Gregorian calendar is unambiguous.
            let seconds = Int64.random(in: -2_177_452_800...7_258_118_399, using: &random)
            let timestamp = Timestamp(microseconds: seconds * Self.second)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: timestamp.date)
            let date = [pad(parts.year, 4), pad(parts.month, 2), pad(parts.day, 2)].joined(separator: "-")
            let time = [pad(parts.hour, 2), pad(parts.minute, 2), pad(parts.second, 2)].joined(separator: ":")
            let expected = date + "T" + time + ".000Z"
            #expect(timestamp.rfc3339 == expected)
        }
    }

    private func pad(_ number: Int?, _ width: Int) -> String {
        let digits = number.map { String($0) } ?? "?"
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    @Test func convertsToAndFromDate() {
        let timestamp = Timestamp(microseconds: 1_795_316_400 * Self.second + 123_456)
        #expect(Timestamp(timestamp.date) == timestamp)
        #expect(Timestamp(Date(timeIntervalSince1970: 1.5)).microseconds == 1_500_000)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.25)).microseconds == -250_000)
        #expect(Timestamp(microseconds: 2_500_000).date == Date(timeIntervalSince1970: 2.5))
    }

    @Test func nowIsCloseToTheSystemClock() {
        let before = Date().timeIntervalSince1970
        let now = Timestamp.now()
        let after = Date().timeIntervalSince1970
        let seconds = Double(now.microseconds) / 1_000_000
        #expect(seconds >= before - 0.001 && seconds <= after + 0.001)
    }

    @Test func ordersByInstant() throws {
        let earlier = try #require(Timestamp(rfc3339: "2026-11-22T05:00:00+03:00"))
        let later = try #require(Timestamp(rfc3339: "2026-11-22T03:00:00Z"))
        let sameAsLater = try #require(Timestamp(rfc3339: "2026-11-22T04:00:00+01:00"))
        #expect(earlier < later)
        #expect([later, earlier].sorted() == [earlier, later])
        #expect(Set([later, sameAsLater]).count == 1)
    }

    @Test func codesAsRFC3339String() throws {
        struct Envelope: Codable, Equatable {
            var at: Timestamp
        }
        let envelope = Envelope(at: Timestamp(microseconds: 1_795_316_400 * Self.second + 250_000))
        let data = try JSONEncoder().encode(envelope)
        #expect(String(decoding: data, as: UTF8.self) == #"{"at":"2026-11-22T03:00:00.250Z"}"#)
        #expect(try JSONDecoder().decode(Envelope.self, from: data) == envelope)
        let offsetText = Data(#"{"at":"2026-11-22T05:00:00.25+02:00"}"#.utf8)
        #expect(try JSONDecoder().decode(Envelope.self, from: offsetText) == envelope)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Envelope.self, from: Data(#"{"at":"2026-02-30T00:00:00Z"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Envelope.self, from: Data(#"{"at":12}"#.utf8))
        }
    }
}
