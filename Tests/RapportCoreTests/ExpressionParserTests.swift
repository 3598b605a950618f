import Testing
@testable import RapportCore

@Suite("Expression parsing")
struct ExpressionParserTests {
    typealias Kit = ExpressionTestKit

    @Test("operator precedence and associativity", arguments: [
        ("1 + 2 * 3", JSONValue.integer(7)), ("(1 + 2) * 3", 9), ("10 - 2 - 3", 5), ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2), ("-2 * 3", -6), ("-(2 + 3)", -5), ("1 + -2", -1),
        ("true || false && false", true), ("(true || false) && false", false), ("!true || true", true),
        ("!(true || true)", false), ("false ? 1 : 2 + 3", 5), ("true ? 1 : 2 + 3", 1),
        ("1 < 2 == true", true), ("'a' + 'b' in ['ab']", true), ("1 + 1 == 2 && 2 * 2 == 4", true),
        ("(true ? false : true) ? 1 : 2", 2), ("false ? 1 : true ? 2 : 3", 2), ("[1, 2, 3][1 + 1]", 3),
        ("size('ab' + 'c') * 2", 6), ("!false && !false", true), ("- - 4", 4), ("2 - -2", 4),
    ] as [(String, JSONValue)])
    func precedence(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("literals", arguments: [
        ("42", JSONValue.integer(42)), ("0x1F", 31), ("3.25", 3.25), (".5", 0.5), ("1e3", 1000.0), ("2.5e-1", 0.25),
        ("true", true), ("false", false), ("null", nil), ("'single'", "single"), ("\"double\"", "double"),
        ("[]", []), ("[1, 'a', true,]", [1, "a", true]), ("{}", [:]), ("{'a': 1, \"b\": [2]}", ["a": 1, "b": [2]]),
        ("9223372036854775807", .integer(.max)), ("// comment\n 5", 5),
    ] as [(String, JSONValue)])
    func literals(source: String, expected: JSONValue) throws {
        #expect(try Kit.value(source) == expected)
    }

    @Test("string escapes", arguments: [
        (#"'a\nb'"#, "a\nb"), (#"'a\tb'"#, "a\tb"), (#"'a\\b'"#, "a\\b"), (#""say \"hi\"""#, "say \"hi\""),
        (#"'it\'s'"#, "it's"), (#"'\u00e9'"#, "é"), (#"'\u00E9t\u00e9'"#, "été"), (#"'\U0001F600'"#, "😀"),
        (#"'mixed \"quotes\" and \'\''"#, "mixed \"quotes\" and ''"), (#"'\r'"#, "\r"), ("'héllo'", "héllo"),
    ] as [(String, String)])
    func escapes(source: String, expected: String) throws {
        #expect(try Kit.value(source) == .string(expected))
    }

    @Test("syntax errors carry line and column", arguments: [
        ("1 +", 1, 4, "unexpected end of expression"),
        ("'abc", 1, 1, "unterminated string literal"),
        (#"'\q'"#, 1, 2, "invalid escape sequence"),
        (#"'\u12'"#, 1, 2, "invalid unicode escape: expected 4 hexadecimal digits"),
        ("a = 1", 1, 3, "unexpected '='; use '==' to compare"),
        ("n &\n n", 1, 3, "unexpected '&'; use '&&'"),
        ("n ==\n  # 1", 2, 3, "unexpected character"),
        ("(1 + 2", 1, 7, "expected ')' to close '(', found end of expression"),
        ("1 2", 1, 3, "unexpected '2' after the expression"),
        ("true ? false ? 1 : 2 : 3", 1, 14, "expected ':' in conditional expression, found '?'"),
        ("9223372036854775808", 1, 1, "integer literal out of range"),
        ("1u", 1, 1, "unsigned integer literals are not supported"),
        ("d.", 1, 3, "expected a field name after '.', found end of expression"),
        ("true ? 1", 1, 9, "expected ':' in conditional expression, found end of expression"),
    ] as [(String, Int, Int, String)])
    func syntaxErrors(source: String, line: Int, column: Int, message: String) {
        let error = Kit.compileError(source)
        #expect(error == ExpressionError(line: line, column: column, message: message))
    }

    @Test("length limit")
    func lengthLimit() {
        let long = "n == 1" + String(repeating: " || n == 1", count: 500)
        let error = Kit.compileError(long)
        #expect(error?.message.hasPrefix("expression is too long") == true)
        let custom = ExpressionLimits(maxLength: 10, maxDepth: 32)
        #expect(throws: ExpressionError.self) { try CompiledExpression("n == 12345678", environment: Kit.environment, limits: custom) }
        #expect(throws: Never.self) { try CompiledExpression("n == 1", environment: Kit.environment, limits: custom) }
    }

    @Test("nesting limit", arguments: [
        String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40),
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        String(repeating: "!", count: 40) + "true",
        "n" + String(repeating: " + n", count: 40) + " > 0",
        String(repeating: "-", count: 40) + "n",
    ] as [String])
    func nestingLimit(source: String) {
        let error = Kit.compileError(source)
        #expect(error?.message == "expression is nested too deeply (more than 32 levels)")
    }

    @Test("nesting just inside the limit compiles")
    func nestingInsideLimit() throws {
        let source = String(repeating: "(", count: 20) + "1" + String(repeating: ")", count: 20) + " == 1"
        #expect(try Kit.value(source) == true)
    }

    @Test("long selection and operator chains are rejected by depth, not by the stack")
    func longChains() {
        let selection = "d" + String(repeating: ".a", count: 2_000)
        #expect(Kit.compileError(selection)?.message == "expression is nested too deeply (more than 32 levels)")
        let sum = "n" + String(repeating: "+n", count: 2_000)
        #expect(Kit.compileError(sum)?.message == "expression is nested too deeply (more than 32 levels)")
    }

    @Test("columns count Unicode scalars, not bytes")
    func unicodeColumns() {
        #expect(Kit.compileError("'é😀' == tpye")?.column == 9)
    }
}
