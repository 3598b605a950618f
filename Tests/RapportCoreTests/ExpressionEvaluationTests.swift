import Testing
@testable import RapportCore

/// Shared helpers for the expression tests.
enum ExpressionTestKit {
    static let variables: [String: JSONValue] = [
        "n": 7,
        "s": "Hello",
        "list": [1, 2, 3],
        "m": ["a": 1, "b": ["c": "deep"]],
        "d": ["x": 1.5, "name": "Ada", "tags": ["vip", "new"], "nothing": nil],
    ]

    static let environment = ExpressionEnvironment([
        .init("n", .int), .init("s", .string), .init("list", .list(.int)),
        .init("m", .dyn), .init("d", .dyn), .init("missing", .dyn),
    ])

    static func evaluate(_ source: String) throws -> Result<JSONValue, ExpressionEvaluationError> {
        let program = try CompiledExpression(source, environment: environment)
        return program.evaluate(VariableActivation(variables))
    }

    static func value(_ source: String) throws -> JSONValue? {
        try evaluate(source).get()
    }

    static func compileError(_ source: String, environment: ExpressionEnvironment = environment) -> ExpressionError? {
        do {
            _ = try CompiledExpression(source, environment: environment)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("Expression evaluation")
struct ExpressionEvaluationTests {
    typealias Kit = ExpressionTestKit

    @Test("arithmetic on ints and doubles", arguments: [
        ("1 + 2", JSONValue.integer(3)), ("7 - 10", -3), ("6 * 7", 42), ("7 / 2", 3), ("-7 / 2", -3), ("7 % 3", 1),
        ("-7 % 3", -1), ("1.5 + 2.25", 3.75), ("3.0 / 2.0", 1.5), ("-n", -7), ("- -3", 3), ("n * 2", 14),
        ("'ab' + 'cd'", "abcd"), ("[1] + [2, 3]", [1, 2, 3]), ("list + [4]", [1, 2, 3, 4]),
    ] as [(String, JSONValue)])
    func arithmetic(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("comparisons and equality", arguments: [
        ("1 < 2", true), ("2 < 1", false), ("2 <= 2", true), ("3 > 2", true), ("2 >= 3", false),
        ("1 < 1.5", true), ("2.0 == 2", true), ("'a' < 'b'", true), ("'b' < 'a'", false), ("'abc' >= 'abc'", true),
        ("false < true", true), ("1 == 1", true), ("1 != 1", false), ("'x' == 'x'", true), ("'x' != 'y'", true),
        ("null == null", true), ("d.nothing == null", true), ("d.name == null", false), ("[1, 2] == [1, 2]", true),
        ("[1, 2] == [2, 1]", false), ("{'a': 1} == {'a': 1}", true), ("{'a': 1} == {'a': 2}", false),
        ("m.a == 1", true), ("d.x == 1.5", true), ("d.name == 1", false), ("m == {'a': 1, 'b': {'c': 'deep'}}", true),
    ] as [(String, Bool)])
    func comparisons(source: String, expected: Bool) throws {
        #expect(try Kit.value(source) == .bool(expected))
    }

    @Test("logical operators and the conditional", arguments: [
        ("true && true", true), ("true && false", false), ("false || true", true), ("false || false", false),
        ("!true", false), ("!!true", true), ("n > 5 ? true : false", true), ("n > 50 ? true : false", false),
    ] as [(String, Bool)])
    func logical(source: String, expected: Bool) throws {
        #expect(try Kit.value(source) == .bool(expected))
    }

    @Test("in: list membership and map keys", arguments: [
        ("2 in [1, 2, 3]", true), ("5 in list", false), ("'vip' in d.tags", true), ("'old' in d.tags", false),
        ("'a' in m", true), ("'z' in m", false), ("2.0 in [1, 2]", true), ("'name' in d", true),
    ] as [(String, Bool)])
    func membership(source: String, expected: Bool) throws {
        #expect(try Kit.value(source) == .bool(expected))
    }

    @Test("functions", arguments: [
        ("size('héllo')", JSONValue.integer(5)), ("s.size()", 5), ("size(list)", 3), ("size(m)", 2), ("size(d.tags)", 2),
        ("s.startsWith('He')", true), ("s.startsWith('lo')", false), ("s.endsWith('llo')", true), ("s.endsWith('He')", false),
        ("s.contains('ell')", true), ("s.contains('xyz')", false), ("s.contains('')", true),
        ("s.matches('^H.l+o$')", true), ("s.matches('l{3}')", false), ("s.matches('ell')", true),
        ("d.name.matches('^' + 'A')", true),
        ("s.lowerAscii()", "hello"), ("'ÀB'.lowerAscii()", "Àb"),
        ("int('42')", 42), ("int(3.9)", 3), ("int(-3.9)", -3), ("int(n)", 7),
        ("double(2)", 2.0), ("double('2.5')", 2.5), ("string(12)", "12"), ("string(true)", "true"), ("string('x')", "x"),
        ("has(d.name)", true), ("has(d.absent)", false), ("has(m.b.c)", true), ("has(d.nothing)", true),
    ] as [(String, JSONValue)])
    func functions(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("exists and all", arguments: [
        ("list.exists(x, x > 2)", true), ("list.exists(x, x > 3)", false), ("list.all(x, x > 0)", true),
        ("list.all(x, x > 1)", false), ("[].exists(x, x == 1)", false), ("[].all(x, x == 1)", true),
        ("d.tags.exists(t, t.startsWith('v'))", true), ("m.exists(k, k == 'b')", true), ("m.all(k, k.size() == 1)", true),
        ("list.exists(x, list.all(y, y <= x))", true), ("list.exists(x, x == n)", false),
    ] as [(String, Bool)])
    func comprehensions(source: String, expected: Bool) throws {
        #expect(try Kit.value(source) == .bool(expected))
    }

    @Test("field selection and indexing", arguments: [
        ("m.b.c", JSONValue.string("deep")), ("m['b']['c']", "deep"), ("m['b'].c", "deep"), ("list[0]", 1), ("list[2]", 3),
        ("d.tags[1]", "new"), ("[10, 20][1]", 20), ("{'k': 'v'}['k']", "v"), ("{'k': n}.k", 7),
    ] as [(String, JSONValue)])
    func selection(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("run-time errors are values, not crashes", arguments: [
        ("d.absent == 1", ExpressionEvaluationError.noSuchKey("absent")),
        ("m.b.c.d == 1", .notAMap(field: "d")),
        ("list[3] == 1", .indexOutOfRange(3)),
        ("n / 0 == 1", .divisionByZero),
        ("n % 0 == 1", .moduloByZero),
        ("9223372036854775807 + 1 == 0", .overflow),
        ("-9223372036854775808 / -1 == 0", .overflow),
        ("d.name + 1 == 2", .noMatchingOverload("_+_")),
        ("d.name > 1", .noMatchingOverload("_>_")),
        ("missing == 1", .noSuchVariable("missing")),
        ("has(d.name.first)", .noMatchingOverload("has")),
        ("has(d.absent.first)", .noSuchKey("absent")),
        ("d.name.exists(x, true)", .noMatchingOverload("exists")),
        ("size(d.x) == 1", .noMatchingOverload("size")),
    ] as [(String, ExpressionEvaluationError)])
    func errors(source: String, expected: ExpressionEvaluationError) throws {
        #expect(try Kit.evaluate(source) == .failure(expected))
    }

    @Test("int conversion failures")
    func conversionFailures() throws {
        guard case .failure(.invalidArgument) = try Kit.evaluate("int('x') == 1") else {
            Issue.record("int('x') should fail")
            return
        }
        #expect(try Kit.evaluate("int(1e300) == 1") == .failure(.overflow))
        #expect(try Kit.evaluate("-9223372036854775808") == .success(.integer(.min)))
    }

    @Test("&& and || absorb errors when the other side decides", arguments: [
        ("d.absent == 1 && false", JSONValue.bool(false)), ("false && d.absent == 1", false),
        ("d.absent == 1 || true", true), ("true || d.absent == 1", true),
        ("d.name && false", false), ("true || d.name", true),
    ] as [(String, JSONValue)])
    func absorption(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("&& and || keep the error when the other side does not decide", arguments: [
        "d.absent == 1 && true", "true && d.absent == 1", "d.absent == 1 || false", "false || d.absent == 1",
    ] as [String])
    func errorPropagation(source: String) throws {
        #expect(try Kit.evaluate(source) == .failure(.noSuchKey("absent")))
    }

    @Test("exists absorbs errors when an element satisfies; all when an element fails")
    func comprehensionErrors() throws {
        let env = ExpressionEnvironment([.init("items", .dyn)])
        let items: JSONValue = [["v": 1], ["w": 2], ["v": 3]]
        func run(_ source: String) throws -> Result<JSONValue, ExpressionEvaluationError> {
            try CompiledExpression(source, environment: env).evaluate(VariableActivation(["items": items]))
        }
        #expect(try run("items.exists(i, i.v == 3)") == .success(true))
        #expect(try run("items.exists(i, i.v == 9)") == .failure(.noSuchKey("v")))
        #expect(try run("items.all(i, i.v == 1)") == .success(false))
        #expect(try run("items.all(i, i.v > 0)") == .failure(.noSuchKey("v")))
    }

    @Test("a dynamic regular expression that does not compile is an error value")
    func dynamicRegexError() throws {
        guard case .failure(.invalidArgument) = try Kit.evaluate("s.matches(d.name + '(')") else {
            Issue.record("expected an invalid-argument error")
            return
        }
    }

    @Test("duplicate keys in a map literal are an error value")
    func duplicateMapKeys() throws {
        #expect(try Kit.evaluate("{'a': 1, 'a': 2}") == .failure(.invalidArgument("duplicate map key")))
    }

    @Test("one compiled program evaluates concurrently with separate activations")
    func concurrentEvaluation() async throws {
        let program = try CompiledExpression("list.exists(x, x == n) && s.matches('^H')", environment: Kit.environment)
        let results = await withTaskGroup(of: Bool.self) { group in
            for value in 0..<64 {
                group.addTask {
                    var variables = Kit.variables
                    variables["n"] = .integer(Int64(value % 6))
                    return program.matches(VariableActivation(variables))
                }
            }
            var count = 0
            for await matched in group where matched { count += 1 }
            return count
        }
        // n in 1...3 matches: values whose remainder mod 6 is 1, 2 or 3.
        #expect(results == (0..<64).filter { (1...3).contains($0 % 6) }.count)
    }
}
