/// A node of the parsed (unchecked) expression tree, with the UTF-8 offset it starts at.
struct ExpressionSyntax: Sendable {
    enum UnaryOperator: Sendable { case not, negate }

    enum BinaryOperator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
        case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case equal = "==", notEqual = "!=", `in` = "in"
        case and = "&&", or = "||"
    }

    indirect enum Kind: Sendable {
        /// A scalar literal: int, double, string, bool or null.
        case literal(JSONValue)
        case identifier(String)
        case select(ExpressionSyntax, field: String)
        case index(ExpressionSyntax, ExpressionSyntax)
        /// A global call `f(args)` (target nil) or a receiver call `target.f(args)`.
        case call(function: String, target: ExpressionSyntax?, arguments: [ExpressionSyntax])
        case unary(UnaryOperator, ExpressionSyntax)
        case binary(BinaryOperator, ExpressionSyntax, ExpressionSyntax)
        case conditional(ExpressionSyntax, ExpressionSyntax, ExpressionSyntax)
        case list([ExpressionSyntax])
        case map([MapEntry])
    }

    struct MapEntry: Sendable {
        var key: ExpressionSyntax
        var value: ExpressionSyntax
    }

    let kind: Kind
    let offset: Int
    /// The depth of the tree rooted here (a leaf is 1), computed once from the children's stored depths.
    let depth: Int

    init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
        depth = Self.childDepth(kind) + 1
    }

    private static func childDepth(_ kind: Kind) -> Int {
        switch kind {
        case .literal, .identifier: return 0
        case .select(let base, _): return base.depth
        case .index(let base, let index): return max(base.depth, index.depth)
        case .call(_, let target, let arguments): return max(target?.depth ?? 0, arguments.map(\.depth).max() ?? 0)
        case .unary(_, let operand): return operand.depth
        case .binary(_, let left, let right): return max(left.depth, right.depth)
        case .conditional(let a, let b, let c): return max(a.depth, b.depth, c.depth)
        case .list(let elements): return elements.map(\.depth).max() ?? 0
        case .map(let entries): return entries.map { max($0.key.depth, $0.value.depth) }.max() ?? 0
        }
    }
}
