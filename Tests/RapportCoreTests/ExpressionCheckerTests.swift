import Testing
@testable import RapportCore

@Suite("Expression type checking")
struct ExpressionCheckerTests {
    typealias Kit = ExpressionTestKit

    @Test("type errors carry line, column and a clear message", arguments: [
        ("type == 1", 1, 6, "no matching overload for '_==_' applied to '(string, int)'"),
        ("size(true)", 1, 1, "no matching overload for 'size' applied to '(bool)'"),
        (#""a" + 1 == "a1""#, 1, 5, "no matching overload for '_+_' applied to '(string, int)'"),
        ("sequence + 1.5 > 0", 1, 10, "no matching overload for '_+_' applied to '(int, double)'"),
        ("!sequence", 1, 1, "no matching overload for '!_' applied to '(int)'"),
        ("-type == 'x'", 1, 1, "no matching overload for '-_' applied to '(string)'"),
        ("type < 1", 1, 6, "no matching overload for '_<_' applied to '(string, int)'"),
        ("type && true", 1, 6, "no matching overload for '_&&_' applied to '(string, bool)'"),
        ("1 in type", 1, 3, "no matching overload for '@in' applied to '(int, string)'"),
        ("'x' in [1, 2]", 1, 5, "no matching overload for '@in' applied to '(string, list(int))'"),
        ("type.startsWith(1)", 1, 6, "no matching overload for '.startsWith' applied to '(string, int)'"),
        ("sequence.contains('1')", 1, 10, "no matching overload for '.contains' applied to '(int, string)'"),
        ("type.foo == 'x'", 1, 6, "type 'string' has no field 'foo'"),
        ("sequence % 2.0 == 0", 1, 10, "no matching overload for '_%_' applied to '(int, double)'"),
        ("int(true) == 1", 1, 1, "no matching overload for 'int' applied to '(bool)'"),
        ("type[0] == 't'", 1, 5, "no matching overload for '_[_]' applied to '(string, int)'"),
        ("sequence > 1 ? 'a' : 'b'", 1, 1, "a filter must evaluate to bool, but this expression is string"),
        ("data.x.exists(1, true)", 1, 8, "exists() takes a variable name and a predicate, e.g. exists(x, x > 0)"),
        ("data.tags.all(t, t)  &&\n  type.exists(c, true)", 2, 8, "exists() needs a list or map, got string"),
        ("has(data)", 1, 1, "has() takes a single field selection, e.g. has(data.field)"),
        ("[1].exists(x, x + 1)", 1, 17, "exists() predicate must be bool, got int"),
        ("type.matches('(')", 1, 14, "invalid regular expression '('"),
        ("{1: 'a'} == {}", 1, 2, "map keys must be strings, got int"),
        ("size(data, 1) == 1", 1, 1, "'size' takes 1 argument(s)"),
        ("type.lowerAscii(1) == 'x'", 1, 6, "'lowerAscii' takes 0 argument(s)"),
    ] as [(String, Int, Int, String)])
    func typeErrors(source: String, line: Int, column: Int, message: String) {
        #expect(filterError(source) == ExpressionError(line: line, column: column, message: message))
    }

    @Test("undeclared identifiers and functions suggest near names", arguments: [
        ("tpye == 'x'", 1, 1, "no such variable 'tpye'; did you mean 'type'?"),
        ("type == 'x' && subjetc == 'y'", 1, 16, "no such variable 'subjetc'; did you mean 'subject'?"),
        ("data.items.exists(item, itme > 1)", 1, 25, "no such variable 'itme'; did you mean 'item'?"),
        ("wholly_unknown == 1", 1, 1, "no such variable 'wholly_unknown'"),
        ("sise(data) == 1", 1, 1, "no such function 'sise'; did you mean 'size'?"),
        ("type.startWith('a')", 1, 6, "no such method 'startWith'; did you mean 'startsWith'?"),
        ("type.frobnicate()", 1, 6, "no such method 'frobnicate'"),
        ("true &&\n\n   tpye == ''", 3, 4, "no such variable 'tpye'; did you mean 'type'?"),
    ] as [(String, Int, Int, String)])
    func unknownNames(source: String, line: Int, column: Int, message: String) {
        let error = filterError(source)
        #expect(error == ExpressionError(line: line, column: column, message: message))
    }

    @Test("error description is line:column: message")
    func errorDescription() {
        #expect(filterError("type == 'a' || tpye")?.description == "1:16: no such variable 'tpye'; did you mean 'type'?")
    }

    @Test("well-typed expressions report their static type", arguments: [
        ("type", ExpressionType.string), ("sequence + 1", .int), ("data.anything", .dyn), ("[1, 2]", .list(.int)),
        ("['a', 1]", .list(.dyn)), ("{'a': 1}", .map(.int)), ("size(type)", .int), ("type == 'x'", .bool),
        ("double(sequence)", .double), ("data.x + 1", .int), ("true ? 1 : 2", .int), ("true ? 1 : 'a'", .dyn),
        ("type.lowerAscii()", .string), ("[1][0]", .int),
    ] as [(String, ExpressionType)])
    func staticTypes(source: String, expected: ExpressionType) throws {
        #expect(try CompiledExpression(source, environment: .events).resultType == expected)
    }

    private func filterError(_ source: String) -> ExpressionError? {
        do {
            _ = try CompiledExpression(filter: source)
            return nil
        } catch {
            return error
        }
    }
}
