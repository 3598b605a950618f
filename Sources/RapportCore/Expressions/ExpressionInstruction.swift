import Foundation

/// The checked, lowered form of an expression that the evaluator walks.
///
/// Field chains are flattened to key arrays, constant lists are pre-built and literal
/// regular expressions are compiled once, so evaluation does no parsing or name lookup.
indirect enum ExpressionInstruction: Sendable {
    enum Arithmetic: String, Sendable { case add = "_+_", subtract = "_-_", multiply = "_*_", divide = "_/_", remainder = "_%_" }
    enum Ordering: String, Sendable { case less = "_<_", lessEqual = "_<=_", greater = "_>_", greaterEqual = "_>=_" }
    enum Quantifier: Sendable { case exists, all }
    enum Builtin: String, Sendable {
        case size, startsWith, endsWith, contains, matches, lowerAscii, int, double, string
    }

    struct Entry: Sendable {
        var key: ExpressionInstruction
        var value: ExpressionInstruction
    }

    case constant(JSONValue)
    case variable(index: Int, name: String)
    case local(Int)
    /// `base.k1.k2…` as one step per key.
    case select(ExpressionInstruction, path: [String])
    case index(ExpressionInstruction, ExpressionInstruction)
    case not(ExpressionInstruction)
    case negate(ExpressionInstruction)
    case arithmetic(Arithmetic, ExpressionInstruction, ExpressionInstruction)
    case ordering(Ordering, ExpressionInstruction, ExpressionInstruction)
    case equal(ExpressionInstruction, ExpressionInstruction, negated: Bool)
    case membership(ExpressionInstruction, in: ExpressionInstruction)
    case and(ExpressionInstruction, ExpressionInstruction)
    case or(ExpressionInstruction, ExpressionInstruction)
    case conditional(ExpressionInstruction, ExpressionInstruction, ExpressionInstruction)
    case list([ExpressionInstruction])
    case map([Entry])
    /// `has(base.field)`.
    case has(ExpressionInstruction, field: String)
    /// A builtin applied to its arguments, the receiver (if any) first.
    case call(Builtin, [ExpressionInstruction])
    /// `text.matches(literal)` with the pattern compiled at check time.
    case matchesPattern(ExpressionInstruction, ExpressionPattern)
    case comprehension(Quantifier, range: ExpressionInstruction, local: Int, predicate: ExpressionInstruction)
}

/// A compiled regular expression; `NSRegularExpression` is immutable and safe to share across threads.
final class ExpressionPattern: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String) throws {
        regex = try NSRegularExpression(pattern: pattern)
    }

    /// True when the pattern matches anywhere in `text` (CEL `matches` is a search, not a full match).
    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, options: [], range: NSRange(text.startIndex..<text.endIndex, in: text)) != nil
    }
}
