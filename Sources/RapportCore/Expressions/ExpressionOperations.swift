import Foundation

/// Run-time semantics of CEL operators and builtins on `JSONValue` operands.
enum ExpressionOperations {
    typealias Outcome = Result<JSONValue, ExpressionEvaluationError>

    /// CEL equality: numbers compare by value across int and double, other kinds must match exactly,
    /// lists and maps compare element-wise; different kinds are simply unequal.
    static func equals(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.integer(let x), .double(let y)), (.double(let y), .integer(let x)): return compareMixed(x, y) == 0
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for index in x.indices where !equals(x[index], y[index]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equals(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    /// The ordering of two values (-1, 0, 1), or nil when they cannot be ordered (including NaN).
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.integer(let x), .double(let y)): return compareMixed(x, y)
        case (.double(let x), .integer(let y)): return compareMixed(y, x).map { -$0 }
        case (.string(let x), .string(let y)):
            // UTF-8 byte order is Unicode code point order, as CEL specifies.
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default: return nil
        }
    }

    /// Compares an int with a double exactly, without losing precision for large integers.
    private static func compareMixed(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        if y >= 9_223_372_036_854_775_808.0 { return -1 }
        if y < -9_223_372_036_854_775_808.0 { return 1 }
        let truncated = Int64(y.rounded(.towardZero))
        if x != truncated { return x < truncated ? -1 : 1 }
        let fraction = y - y.rounded(.towardZero)
        return fraction == 0 ? 0 : (fraction > 0 ? -1 : 1)
    }

    static func arithmetic(_ op: ExpressionInstruction.Arithmetic, _ a: JSONValue, _ b: JSONValue) -> Outcome {
        switch (a, b) {
        case (.integer(let x), .integer(let y)):
            let result: (partialValue: Int64, overflow: Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            case .multiply: result = x.multipliedReportingOverflow(by: y)
            case .divide:
                if y == 0 { return .failure(.divisionByZero) }
                result = x.dividedReportingOverflow(by: y)
            case .remainder:
                if y == 0 { return .failure(.moduloByZero) }
                result = x.remainderReportingOverflow(dividingBy: y)
            }
            return result.overflow ? .failure(.overflow) : .success(.integer(result.partialValue))
        case (.double(let x), .double(let y)):
            switch op {
            case .add: return .success(.double(x + y))
            case .subtract: return .success(.double(x - y))
            case .multiply: return .success(.double(x * y))
            case .divide: return .success(.double(x / y))
            case .remainder: return .failure(.noMatchingOverload(op.rawValue))
            }
        case (.string(let x), .string(let y)) where op == .add:
            return .success(.string(x + y))
        case (.array(let x), .array(let y)) where op == .add:
            return .success(.array(x + y))
        default:
            return .failure(.noMatchingOverload(op.rawValue))
        }
    }

    /// A one-operand builtin (`size`, `lowerAscii`, conversions).
    static func apply(_ builtin: ExpressionInstruction.Builtin, _ value: JSONValue) -> Outcome {
        switch (builtin, value) {
        case (.size, .string(let text)): return .success(.integer(Int64(text.unicodeScalars.count)))
        case (.size, .array(let elements)): return .success(.integer(Int64(elements.count)))
        case (.size, .object(let object)): return .success(.integer(Int64(object.count)))
        case (.lowerAscii, .string(let text)): return .success(.string(lowerAscii(text)))
        case (.int, .integer): return .success(value)
        case (.int, .double(let number)):
            guard number.isFinite, number > -9_223_372_036_854_775_809.0, number < 9_223_372_036_854_775_808.0,
                  let integral = Int64(exactly: number.rounded(.towardZero)) else { return .failure(.overflow) }
            return .success(.integer(integral))
        case (.int, .string(let text)):
            guard let integral = Int64(text) else { return .failure(.invalidArgument("cannot convert string to int")) }
            return .success(.integer(integral))
        case (.double, .double): return .success(value)
        case (.double, .integer(let integral)): return .success(.double(Double(integral)))
        case (.double, .string(let text)):
            guard let number = Double(text) else { return .failure(.invalidArgument("cannot convert string to double")) }
            return .success(.double(number))
        case (.string, .string): return .success(value)
        case (.string, .integer(let integral)): return .success(.string(String(integral)))
        case (.string, .double(let number)): return .success(.string(String(number)))
        case (.string, .bool(let flag)): return .success(.string(flag ? "true" : "false"))
        default: return .failure(.noMatchingOverload(builtin.rawValue))
        }
    }

    /// A builtin with a receiver and one argument (`startsWith`, `endsWith`, `contains`, `matches`).
    static func apply(_ builtin: ExpressionInstruction.Builtin, _ receiver: JSONValue, _ argument: JSONValue) -> Outcome {
        guard case .string(let text) = receiver, case .string(let other) = argument else {
            return .failure(.noMatchingOverload(builtin.rawValue))
        }
        switch builtin {
        case .startsWith: return .success(.bool(text.utf8.starts(with: other.utf8)))
        case .endsWith: return .success(.bool(text.utf8.reversed().starts(with: other.utf8.reversed())))
        case .contains: return .success(.bool(other.isEmpty || containsBytes(text, other)))
        case .matches:
            do {
                return .success(.bool(try ExpressionPattern(other).matches(text)))
            } catch {
                return .failure(.invalidArgument("invalid regular expression"))
            }
        default: return .failure(.noMatchingOverload(builtin.rawValue))
        }
    }

    /// Substring search on UTF-8 bytes (code-point exact, no normalisation, no allocation).
    private static func containsBytes(_ text: String, _ needle: String) -> Bool {
        // On contiguous UTF-8: a scan through `String.UTF8View` indices costs several times more.
        var (text, needle) = (text, needle)
        return text.withUTF8 { haystack in
            needle.withUTF8 { pattern in
                guard !pattern.isEmpty else { return true }
                guard pattern.count <= haystack.count, let base = haystack.baseAddress, let wanted = pattern.baseAddress else { return false }
                let first = pattern[0]
                for start in 0...(haystack.count - pattern.count) where haystack[start] == first {
                    if memcmp(base + start, wanted, pattern.count) == 0 { return true }
                }
                return false
            }
        }
    }

    private static func lowerAscii(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
