import Testing
@testable import RapportCore

@Suite("JSON serialization")
struct JSONSerializationTests {
    @Test(arguments: [
        (JSONValue.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.integer(0), "0"),
        (.integer(7), "7"),
        (.integer(-42), "-42"),
        (.integer(1_000_000), "1000000"),
        (.integer(.max), "9223372036854775807"),
        (.integer(.min), "-9223372036854775808"),
        (.double(2.0), "2.0"),
        (.double(0.1), "0.1"),
        (.double(-0.0), "-0.0"),
        (.double(1e20), "1e+20"),
        (.double(1.5e-7), "1.5e-07"),
        (.double(.leastNonzeroMagnitude), "5e-324"),
        (.double(.greatestFiniteMagnitude), "1.7976931348623157e+308"),
        (.double(.infinity), "null"),
        (.double(-.infinity), "null"),
        (.double(.nan), "null"),
        (.string(""), "\"\""),
        (.array([]), "[]"),
        (.object(JSONObject()), "{}"),
    ])
    func serializesScalars(value: JSONValue, expected: String) {
        #expect(value.jsonString == expected)
        #expect(value.serialized() == Array(expected.utf8))
    }

    @Test func escapesStrings() {
        let value = JSONValue.string("q\"b\\n\nt\tr\rb\u{8}f\u{C}c\u{1}\u{1F}\u{0}/")
        #expect(value.jsonString == #""q\"b\\n\nt\tr\rb\bf\fc\u0001\u001f\u0000/""#)
    }

    @Test func escapesJavaScriptLineSeparators() {
        #expect(JSONValue.string("a\u{2028}b\u{2029}c").jsonString == #""a\u2028b\u2029c""#)
        // Neighbours of U+2028 that share its first byte stay raw.
        #expect(JSONValue.string("\u{2027}\u{202A}\u{2020}").jsonString == "\"\u{2027}\u{202A}\u{2020}\"")
    }

    @Test func writesNonASCIIAsUTF8() {
        let value = JSONValue.string("Zoë 中文 😀 \u{7F}")
        #expect(value.serialized() == Array("\"Zoë 中文 😀 \u{7F}\"".utf8))
    }

    @Test func writesObjectsInStoredOrder() {
        var object = JSONObject()
        object["zeta"] = 1
        object["alpha"] = [true, nil]
        object["mid"] = ["x": "y"]
        #expect(JSONValue.object(object).jsonString == #"{"zeta":1,"alpha":[true,null],"mid":{"x":"y"}}"#)
        object["zeta"] = 2
        object["alpha"] = nil
        #expect(JSONValue.object(object).jsonString == #"{"zeta":2,"mid":{"x":"y"}}"#)
    }

    @Test func appendsToAnExistingBuffer() {
        var buffer = Array("data: ".utf8)
        let value: JSONValue = ["id": "cus_1", "n": 3]
        value.serialize(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"data: {"id":"cus_1","n":3}"#)
    }

    @Test(arguments: [
        #"{"a":[1,2.5,-3e-05,"x\ny",true,false,null],"b":{},"c":[],"d":"é\u2028"}"#,
        #"[{"id":"cus_01","emails":["a@example.com"],"score":0.1,"big":1e+300}]"#,
        #""\u0000\u001f\"\\""#,
        "-9223372036854775808",
        "1.7976931348623157e+308",
    ])
    func canonicalTextRoundTrips(text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(value.jsonString == text)
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func randomDocumentsRoundTrip() throws {
        let seed: UInt64 = 0x5EED_2026
        var random = SeededRandom(seed: seed)
        for iteration in 0..<500 {
            let value = RandomJSON.value(depth: 0, using: &random)
            let parsed = try JSONParser.parse(value.serialized())
            #expect(parsed == value, "seed \(seed) iteration \(iteration): \(value.jsonString)")
        }
    }

    @Test func doublesRoundTripBitForBit() throws {
        var random = SeededRandom(seed: 42)
        var checked = 0
        while checked < 2000 {
            let number = Double(bitPattern: random.next())
            guard number.isFinite else { continue }
            checked += 1
            let parsed = try JSONParser.parse(JSONValue.double(number).serialized())
            #expect(parsed.doubleValue?.bitPattern == number.bitPattern, "\(number)")
            #expect(parsed.intValue == nil)
        }
    }
}

@Suite("JSON object")
struct JSONObjectTests {
    @Test func keepsInsertionOrderAndReplacesInPlace() {
        var object = JSONObject([("b", 1), ("a", 2), ("b", 3)])
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == 3)
        object["c"] = "new"
        object["a"] = 20
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.values == [3, 20, "new"])
        #expect(object.count == 3)
        #expect(!object.isEmpty)
        #expect(object.map(\.key) == ["b", "a", "c"])
    }

    @Test func removesKeys() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        #expect(object.removeValue(forKey: "b") == 2)
        #expect(object.removeValue(forKey: "missing") == nil)
        object["a"] = nil
        #expect(object.keys == ["c"])
        #expect(object["a"] == nil)
        object["c"] = nil
        #expect(object.isEmpty)
    }

    @Test func largeObjectsStayConsistentThroughEdits() {
        var object = JSONObject()
        for number in 0..<40 {
            object["k\(number)"] = .integer(Int64(number))
        }
        for number in stride(from: 0, to: 40, by: 3) {
            #expect(object.removeValue(forKey: "k\(number)") == .integer(Int64(number)))
        }
        object["k1"] = 100
        object["extra"] = true
        let expectedKeys = (0..<40).filter { $0 % 3 != 0 }.map { "k\($0)" } + ["extra"]
        #expect(object.keys == expectedKeys)
        for number in 0..<40 where number % 3 != 0 {
            #expect(object["k\(number)"] == .integer(number == 1 ? 100 : Int64(number)))
        }
        #expect(object["k0"] == nil)
        // Shrinking back below the hashing threshold keeps lookups right.
        for key in expectedKeys.dropFirst(3) {
            object[key] = nil
        }
        #expect(object.keys == ["k1", "k2", "k4"])
        #expect(object["k4"] == 4)
        #expect(object["k5"] == nil)
    }

    @Test func equalityIgnoresOrder() {
        let first: JSONObject = ["a": 1, "b": [1, 2]]
        let second: JSONObject = ["b": [1, 2], "a": 1]
        #expect(first == second)
        #expect(first != ["a": 1, "b": [2, 1]])
        #expect(first != ["a": 1])
        #expect(first != ["a": 1, "c": [1, 2]])
        #expect(JSONValue.object(first) == .object(second))
    }

    @Test func valueAccessors() throws {
        let value: JSONValue = ["s": "text", "i": 5, "d": 2.5, "b": true, "n": nil, "a": [1], "o": [:]]
        let object = try #require(value.objectValue)
        #expect(object["s"]?.stringValue == "text")
        #expect(object["i"]?.intValue == 5)
        #expect(object["i"]?.doubleValue == 5)
        #expect(object["d"]?.doubleValue == 2.5)
        #expect(object["d"]?.intValue == nil)
        #expect(object["b"]?.boolValue == true)
        #expect(object["n"]?.isNull == true)
        #expect(object["s"]?.isNull == false)
        #expect(object["a"]?.arrayValue == [1])
        #expect(object["o"]?.objectValue == JSONObject())
        #expect(object["s"]?.intValue == nil)
        #expect(object.values.map(\.typeName) == ["string", "integer", "number", "boolean", "null", "array", "object"])
    }
}


private enum RandomJSON {
    static func value(depth: Int, using random: inout SeededRandom) -> JSONValue {
        let choice = Int.random(in: 0..<(depth >= 4 ? 6 : 8), using: &random)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int64(bitPattern: random.next()) >> Int.random(in: 0..<64, using: &random))
        case 3:
            let number = Double(bitPattern: random.next())
            return .double(number.isFinite ? number : 0.5)
        case 4, 5: return .string(string(using: &random))
        case 6:
            let count = Int.random(in: 0..<6, using: &random)
            return .array((0..<count).map { _ in value(depth: depth + 1, using: &random) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0..<12, using: &random) {
                object[string(using: &random)] = value(depth: depth + 1, using: &random)
            }
            return .object(object)
        }
    }

    static func string(using random: inout SeededRandom) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0..<12, using: &random) {
            let pool = Int.random(in: 0..<4, using: &random)
            let upper: UInt32 = [0x80, 0x800, 0x1_0000, 0x11_0000][pool]
            var candidate = UInt32.random(in: 0..<upper, using: &random)
            if (0xD800...0xDFFF).contains(candidate) {
                candidate = 0x2028
            }
            scalars.append(Unicode.Scalar(candidate)!)
        }
        return String(scalars)
    }
}
