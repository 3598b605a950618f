/// A compile-time problem with an expression: where it is (1-based line and column) and what is wrong.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the offending token.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int
    /// What is wrong, e.g. `no such variable 'tpye'; did you mean 'type'?`.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// Builds an error at a UTF-8 byte offset of `source`, counting columns in Unicode scalars.
    init(source: String, offset: Int, message: String) {
        var line = 1
        var column = 1
        var consumed = 0
        for scalar in source.unicodeScalars {
            if consumed >= offset { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.init(line: line, column: column, message: message)
    }

    /// `line:column: message`, e.g. `1:9: no such variable 'tpye'; did you mean 'type'?`.
    public var description: String { "\(line):\(column): \(message)" }
}

/// Why an evaluation produced an error value instead of a result (CEL error semantics).
public enum ExpressionEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field or map key that is not present.
    case noSuchKey(String)
    /// A field selected from a value that is not a map (e.g. `type.x`, or `data.a.b` where `a` is a string).
    case notAMap(field: String)
    /// A root variable the activation did not supply.
    case noSuchVariable(String)
    /// An operator or function applied to run-time types it does not accept.
    case noMatchingOverload(String)
    case divisionByZero
    case moduloByZero
    case overflow
    case indexOutOfRange(Int64)
    /// A conversion or pattern that could not be applied, e.g. `int("x")`.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .noSuchKey(let key): return "no such key: \(key)"
        case .notAMap(let field): return "cannot select field '\(field)' from a value that is not a map"
        case .noSuchVariable(let name): return "no such variable: \(name)"
        case .noMatchingOverload(let function): return "no matching overload for '\(function)'"
        case .divisionByZero: return "division by zero"
        case .moduloByZero: return "modulus by zero"
        case .overflow: return "integer overflow"
        case .indexOutOfRange(let index): return "index out of range: \(index)"
        case .invalidArgument(let message): return message
        }
    }
}

/// Size limits applied when compiling an expression.
public struct ExpressionLimits: Sendable, Equatable {
    /// Maximum source length in UTF-8 bytes.
    public var maxLength: Int
    /// Maximum nesting depth of the syntax tree.
    public var maxDepth: Int

    public init(maxLength: Int = 4_096, maxDepth: Int = 32) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
    }

    public static let standard = ExpressionLimits()
}
