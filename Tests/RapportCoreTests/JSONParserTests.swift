import Testing
@testable import RapportCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesScalars() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse("0") == .integer(0))
        #expect(try JSONParser.parse("-0") == .integer(0))
        #expect(try JSONParser.parse("123") == .integer(123))
        #expect(try JSONParser.parse("-123") == .integer(-123))
        #expect(try JSONParser.parse("9223372036854775807") == .integer(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSONParser.parse("1.5") == .double(1.5))
        #expect(try JSONParser.parse("-0.0") == .double(-0.0))
        #expect(try JSONParser.parse("-1.5e3") == .double(-1500))
        #expect(try JSONParser.parse("1E2") == .double(100))
        #expect(try JSONParser.parse("1e-2") == .double(0.01))
        #expect(try JSONParser.parse("2.5E+1") == .double(25))
        #expect(try JSONParser.parse("1e-400") == .double(0))
        #expect(try JSONParser.parse("\"abc\"") == .string("abc"))
        #expect(try JSONParser.parse("\"\"") == .string(""))
    }

    @Test func integersBeyondInt64BecomeDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9_223_372_036_854_775_809.0))
        #expect(try JSONParser.parse("18446744073709551616") == .double(18_446_744_073_709_551_616.0))
        #expect(try JSONParser.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try JSONParser.parse("[99999999999999999999]") == .array([.double(1e20)]))
    }

    @Test func allowsSurroundingWhitespace() throws {
        #expect(try JSONParser.parse(" \t\n\r{ } \n ") == .object(JSONObject()))
        #expect(try JSONParser.parse(" [ 1 , 2 ] ") == [1, 2])
        #expect(try JSONParser.parse("{ \"a\" : 1 }") == ["a": 1])
    }

    @Test func parsesNestedDocumentKeepingKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z":[1,{"b":null,"a":true}],"c":"d","a":-2.5}"#)
        let expected: JSONValue = ["z": [1, ["b": nil, "a": true]], "c": "d", "a": -2.5]
        #expect(value == expected)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "c", "a"])
        let inner = try #require(object["z"]?.arrayValue?[1].objectValue)
        #expect(inner.keys == ["b", "a"])
    }

    @Test func parsesAllEscapes() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/b\bf\fn\nr\rt\t""#)
        #expect(value == .string("q\"b\\s/b\u{8}f\u{C}n\nr\rt\t"))
        #expect(try JSONParser.parse(#""\u0041\u00e9\u4E2D\u0000""#) == .string("Aé中\u{0}"))
        #expect(try JSONParser.parse(#""plain é 中 😀""#) == .string("plain é 中 😀"))
        #expect(try JSONParser.parse(#""a\nb""#).stringValue?.count == 3)
    }

    @Test func joinsSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
        #expect(try JSONParser.parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
    }

    @Test(arguments: [
        (#""\ud83d""#, 1),
        (#""\ude00""#, 1),
        (#""ab\ud83dx""#, 3),
        (#""\ud83d\u0041""#, 1),
        (#""\ud83d\ud83d""#, 1),
        (#""\ud83d\n""#, 1),
    ])
    func rejectsLoneSurrogates(input: String, offset: Int) {
        #expect(throws: JSONSyntaxError(offset: offset, reason: "lone surrogate in \\u escape")) {
            try JSONParser.parse(input)
        }
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("   ", 3, "unexpected end of input"),
        ("{", 1, "unexpected end of input"),
        ("[1,", 3, "unexpected end of input"),
        ("{\"a\":", 5, "unexpected end of input"),
        ("[1,]", 3, "unexpected character ']'"),
        ("{\"a\":1,}", 7, "unexpected character '}'"),
        ("{\"a\" 1}", 5, "unexpected character '1'"),
        ("{a:1}", 1, "unexpected character 'a'"),
        ("{\"a\":1 \"b\":2}", 7, "unexpected character '\"'"),
        ("[1 2]", 3, "unexpected character '2'"),
        ("[1}", 2, "unexpected character '}'"),
        ("01", 0, "leading zeros are not allowed"),
        ("-01", 1, "leading zeros are not allowed"),
        ("[00]", 1, "leading zeros are not allowed"),
        ("-", 1, "missing digits after minus sign"),
        ("-a", 1, "missing digits after minus sign"),
        ("-Infinity", 1, "missing digits after minus sign"),
        ("1.", 2, "missing digits after decimal point"),
        ("1.e5", 2, "missing digits after decimal point"),
        ("1e", 2, "missing digits in exponent"),
        ("1e+", 3, "missing digits in exponent"),
        (".5", 0, "unexpected character '.'"),
        ("+1", 0, "unexpected character '+'"),
        ("NaN", 0, "unexpected character 'N'"),
        ("Infinity", 0, "unexpected character 'I'"),
        ("1e400", 0, "number out of range"),
        ("[0, -1.5e999]", 4, "number out of range"),
        ("tru", 3, "unexpected end of input"),
        ("trUe", 2, "unexpected character 'U'"),
        ("nulL", 3, "unexpected character 'L'"),
        ("True", 0, "unexpected character 'T'"),
        ("true false", 5, "trailing characters after JSON value"),
        ("{} x", 3, "trailing characters after JSON value"),
        ("[1]//", 3, "trailing characters after JSON value"),
        ("1 2", 2, "trailing characters after JSON value"),
        ("// c\n1", 0, "unexpected character '/'"),
        ("/* c */ 1", 0, "unexpected character '/'"),
        ("\"abc", 0, "unterminated string"),
        ("[\"abc", 1, "unterminated string"),
        ("\"ab\\", 0, "unterminated string"),
        ("\"\\u12", 0, "unterminated string"),
        ("\"a\tb\"", 2, "unescaped control character in string"),
        ("\"a\nb\"", 2, "unescaped control character in string"),
        ("\"\\x\"", 1, "invalid escape sequence"),
        ("\"\\U0041\"", 1, "invalid escape sequence"),
        ("\"\\u12G4\"", 1, "invalid \\u escape"),
        ("'a'", 0, "unexpected character '''"),
        ("\u{FEFF}1", 0, "unexpected byte 0xEF"),
        ("[1,\u{1}]", 3, "unexpected byte 0x01"),
        ("é", 0, "unexpected byte 0xC3"),
    ])
    func reportsOffsetAndReason(input: String, offset: Int, reason: String) {
        #expect(throws: JSONSyntaxError(offset: offset, reason: reason)) {
            try JSONParser.parse(input)
        }
    }

    @Test(arguments: [
        ([0x22, 0xC3, 0x28, 0x22], 1),  // lead byte without continuation
        ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong "/"
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong three-byte form
        ([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], 2),  // UTF-16 surrogate encoded in UTF-8
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),  // invalid lead byte
        ([0x22, 0x80, 0x22], 1),  // stray continuation byte
        ([0x22, 0xFF, 0x22], 1),
        ([0x22, 0xE2, 0x82], 1),  // truncated at end of input
        ([0x22, 0xF0, 0x9F, 0x98, 0x41, 0x22], 1),  // bad fourth byte
    ] as [([UInt8], Int)])
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(throws: JSONSyntaxError(offset: offset, reason: "invalid UTF-8")) {
            try JSONParser.parse(bytes)
        }
    }

    @Test func acceptsValidMultibyteUTF8() throws {
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE4, 0xB8, 0xAD, 0xF0, 0x9F, 0x98, 0x80, 0xEF, 0xBF, 0xBF, 0x22]
        #expect(try JSONParser.parse(bytes) == .string("é中😀\u{FFFF}"))
    }

    @Test func rejectsDuplicateKeys() throws {
        #expect(throws: JSONSyntaxError(offset: 10, reason: "duplicate key \"name\"")) {
            try JSONParser.parse(#"{"name":1,"name":2}"#)
        }
        // The same key spelled with an escape is still the same key.
        #expect(throws: JSONSyntaxError(offset: 7, reason: "duplicate key \"a\"")) {
            try JSONParser.parse(#"{"a":1,"\u0061":2}"#)
        }
        // Keys that need escaping are quoted as JSON in the message.
        #expect(throws: JSONSyntaxError(offset: 11, reason: #"duplicate key "q\"x""#)) {
            try JSONParser.parse(#"{"q\"x":1, "q\"x":2}"#)
        }
        // Past the size where lookups switch from scanning to hashing.
        let members = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = "{\(members),\"k3\":0}"
        #expect(throws: JSONSyntaxError(offset: text.utf8.count - 7, reason: "duplicate key \"k3\"")) {
            try JSONParser.parse(text)
        }
        // The same key in different objects is fine.
        #expect(try JSONParser.parse(#"{"a":{"a":1},"b":[{"a":2},{"a":3}]}"#).objectValue?.count == 2)
    }

    @Test func shortensLongDuplicateKeysInMessage() throws {
        let key = String(repeating: "x", count: 200)
        let error = try #require(throws: JSONSyntaxError.self) {
            try JSONParser.parse("{\"\(key)\":1,\"\(key)\":2}")
        }
        #expect(error.reason == "duplicate key \"\(String(repeating: "x", count: 64))…\"")
    }

    @Test func enforcesDepthLimit() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(deepest) }

        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError(offset: 64, reason: "nesting deeper than 64")) {
            try JSONParser.parse(tooDeep)
        }

        let mixed = String(repeating: "{\"a\":[", count: 40) + "1" + String(repeating: "]}", count: 40)
        let error = try #require(throws: JSONSyntaxError.self) { try JSONParser.parse(mixed) }
        #expect(error.reason == "nesting deeper than 64")
        #expect(error.offset == 32 * 6)

        // A hostile document fails at the limit instead of recursing through the whole input.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError(offset: 64, reason: "nesting deeper than 64")) {
            try JSONParser.parse(hostile)
        }
    }

    @Test func honoursCustomDepth() throws {
        #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == [[1]])
        #expect(throws: JSONSyntaxError(offset: 2, reason: "nesting deeper than 2")) {
            try JSONParser.parse("[[{}]]", maxDepth: 2)
        }
        #expect(try JSONParser.parse("7", maxDepth: 0) == 7)
        #expect(throws: JSONSyntaxError(offset: 0, reason: "nesting deeper than 0")) {
            try JSONParser.parse("[]", maxDepth: 0)
        }
    }

    @Test func parsesBytesTextAndSlicesAlike() throws {
        let text = #" {"name":"Zoë","tags":["vip"],"score":12.5} "#
        let fromText = try JSONParser.parse(text)
        let fromBytes = try JSONParser.parse(Array(text.utf8))
        let padded: [UInt8] = Array("xx".utf8) + Array(text.utf8) + Array("yy".utf8)
        let fromSlice = try JSONParser.parse(padded[2..<(padded.count - 2)])
        #expect(fromText == fromBytes)
        #expect(fromText == fromSlice)
        #expect(fromText.objectValue?["name"] == "Zoë")
    }

    @Test func offsetsInSlicesCountFromTheSliceStart() {
        let padded: [UInt8] = Array("xx[1,]".utf8)
        #expect(throws: JSONSyntaxError(offset: 3, reason: "unexpected character ']'")) {
            try JSONParser.parse(padded[2...])
        }
    }

    @Test func describesErrorsForClients() {
        let error = JSONSyntaxError(offset: 17, reason: "unexpected character '}'")
        #expect(error.description == "malformed JSON at byte 17: unexpected character '}'")
    }
}
