/// Recursive-descent parser for the supported CEL grammar, with CEL operator precedence:
/// `?:` < `||` < `&&` < relations (`== != < <= > >= in`) < `+ -` < `* / %` < unary `! -` < member access.
struct ExpressionParser {
    typealias Failure = ExpressionLexer.Failure

    private let tokens: [ExpressionToken]
    private let maxDepth: Int
    private var position = 0
    private var depth = 0

    init(tokens: [ExpressionToken], maxDepth: Int) {
        self.tokens = tokens
        self.maxDepth = maxDepth
    }

    /// Parses a whole expression, rejecting trailing tokens.
    static func parse(_ source: String, limits: ExpressionLimits) throws(Failure) -> ExpressionSyntax {
        let tokens = try ExpressionLexer.tokenize(source)
        var parser = ExpressionParser(tokens: tokens, maxDepth: limits.maxDepth)
        let tree = try parser.expression()
        let trailing = parser.current
        if trailing.kind != .end {
            throw Failure(offset: trailing.offset, message: "unexpected \(trailing.kind.display) after the expression")
        }
        if tree.depth > limits.maxDepth {
            throw Failure(offset: 0, message: "expression is nested too deeply (more than \(limits.maxDepth) levels)")
        }
        return tree
    }

    private var current: ExpressionToken { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() -> ExpressionToken {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func accept(_ kind: ExpressionToken.Kind) -> Bool {
        guard current.kind == kind else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ kind: ExpressionToken.Kind, _ context: String) throws(Failure) {
        guard accept(kind) else {
            throw Failure(offset: current.offset, message: "expected \(kind.display) \(context), found \(current.kind.display)")
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw Failure(offset: current.offset, message: "expression is nested too deeply (more than \(maxDepth) levels)")
        }
    }

    mutating func expression() throws(Failure) -> ExpressionSyntax {
        try enter()
        defer { depth -= 1 }
        let condition = try logical(or: true)
        guard current.kind == .question else { return condition }
        _ = advance()
        let whenTrue = try logical(or: true)
        try expect(.colon, "in conditional expression")
        let whenFalse = try expression()
        return ExpressionSyntax(kind: .conditional(condition, whenTrue, whenFalse), offset: condition.offset)
    }

    private mutating func logical(or: Bool) throws(Failure) -> ExpressionSyntax {
        var left = or ? try logical(or: false) : try relation()
        let token: ExpressionToken.Kind = or ? .or : .and
        while current.kind == token {
            let operatorToken = advance()
            let right = or ? try logical(or: false) : try relation()
            left = ExpressionSyntax(kind: .binary(or ? .or : .and, left, right), offset: operatorToken.offset)
        }
        return left
    }

    private mutating func relation() throws(Failure) -> ExpressionSyntax {
        var left = try addition()
        while true {
            let op: ExpressionSyntax.BinaryOperator
            switch current.kind {
            case .less: op = .less
            case .lessEqual: op = .lessEqual
            case .greater: op = .greater
            case .greaterEqual: op = .greaterEqual
            case .equal: op = .equal
            case .notEqual: op = .notEqual
            case .inKeyword: op = .in
            default: return left
            }
            let operatorToken = advance()
            let right = try addition()
            left = ExpressionSyntax(kind: .binary(op, left, right), offset: operatorToken.offset)
        }
    }

    private mutating func addition() throws(Failure) -> ExpressionSyntax {
        var left = try multiplication()
        while true {
            let op: ExpressionSyntax.BinaryOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            let operatorToken = advance()
            let right = try multiplication()
            left = ExpressionSyntax(kind: .binary(op, left, right), offset: operatorToken.offset)
        }
    }

    private mutating func multiplication() throws(Failure) -> ExpressionSyntax {
        var left = try unary()
        while true {
            let op: ExpressionSyntax.BinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .remainder
            default: return left
            }
            let operatorToken = advance()
            let right = try unary()
            left = ExpressionSyntax(kind: .binary(op, left, right), offset: operatorToken.offset)
        }
    }

    private mutating func unary() throws(Failure) -> ExpressionSyntax {
        let token = current
        switch token.kind {
        case .bang:
            _ = advance()
            try enter()
            defer { depth -= 1 }
            return ExpressionSyntax(kind: .unary(.not, try unary()), offset: token.offset)
        case .minus:
            _ = advance()
            if case .integer(let magnitude) = current.kind {
                _ = advance()
                return try member(negatedInteger(magnitude, offset: token.offset))
            }
            try enter()
            defer { depth -= 1 }
            return ExpressionSyntax(kind: .unary(.negate, try unary()), offset: token.offset)
        default:
            return try member(try primary())
        }
    }

    private func negatedInteger(_ magnitude: UInt64, offset: Int) -> ExpressionSyntax {
        let value: Int64
        if magnitude == UInt64(Int64.max) + 1 {
            value = Int64.min
        } else {
            value = -Int64(magnitude)
        }
        return ExpressionSyntax(kind: .literal(.integer(value)), offset: offset)
    }

    private mutating func member(_ base: ExpressionSyntax) throws(Failure) -> ExpressionSyntax {
        var node = base
        while true {
            switch current.kind {
            case .dot:
                _ = advance()
                let nameToken = advance()
                guard case .identifier(let name) = nameToken.kind else {
                    throw Failure(offset: nameToken.offset, message: "expected a field name after '.', found \(nameToken.kind.display)")
                }
                if current.kind == .leftParen {
                    _ = advance()
                    let arguments = try argumentList(closing: .rightParen)
                    node = ExpressionSyntax(kind: .call(function: name, target: node, arguments: arguments), offset: nameToken.offset)
                } else {
                    node = ExpressionSyntax(kind: .select(node, field: name), offset: nameToken.offset)
                }
            case .leftBracket:
                let open = advance()
                try enter()
                let index = try expression()
                depth -= 1
                try expect(.rightBracket, "to close the index")
                node = ExpressionSyntax(kind: .index(node, index), offset: open.offset)
            default:
                return node
            }
        }
    }

    private mutating func primary() throws(Failure) -> ExpressionSyntax {
        let token = advance()
        switch token.kind {
        case .integer(let magnitude):
            guard magnitude <= UInt64(Int64.max) else {
                throw Failure(offset: token.offset, message: "integer literal out of range")
            }
            return ExpressionSyntax(kind: .literal(.integer(Int64(magnitude))), offset: token.offset)
        case .double(let value): return ExpressionSyntax(kind: .literal(.double(value)), offset: token.offset)
        case .string(let text): return ExpressionSyntax(kind: .literal(.string(text)), offset: token.offset)
        case .trueLiteral: return ExpressionSyntax(kind: .literal(.bool(true)), offset: token.offset)
        case .falseLiteral: return ExpressionSyntax(kind: .literal(.bool(false)), offset: token.offset)
        case .nullLiteral: return ExpressionSyntax(kind: .literal(.null), offset: token.offset)
        case .identifier(let name):
            if current.kind == .leftParen {
                _ = advance()
                let arguments = try argumentList(closing: .rightParen)
                return ExpressionSyntax(kind: .call(function: name, target: nil, arguments: arguments), offset: token.offset)
            }
            return ExpressionSyntax(kind: .identifier(name), offset: token.offset)
        case .leftParen:
            let inner = try expression()
            try expect(.rightParen, "to close '('")
            return inner
        case .leftBracket:
            let elements = try argumentList(closing: .rightBracket)
            return ExpressionSyntax(kind: .list(elements), offset: token.offset)
        case .leftBrace:
            try enter()
            defer { depth -= 1 }
            var entries: [ExpressionSyntax.MapEntry] = []
            while current.kind != .rightBrace {
                let key = try expression()
                try expect(.colon, "after map key")
                let value = try expression()
                entries.append(ExpressionSyntax.MapEntry(key: key, value: value))
                if !accept(.comma) { break }
            }
            try expect(.rightBrace, "to close the map")
            return ExpressionSyntax(kind: .map(entries), offset: token.offset)
        default:
            throw Failure(offset: token.offset, message: "unexpected \(token.kind.display)")
        }
    }

    /// Comma-separated expressions up to `closing` (which is consumed); a trailing comma is allowed.
    private mutating func argumentList(closing: ExpressionToken.Kind) throws(Failure) -> [ExpressionSyntax] {
        try enter()
        defer { depth -= 1 }
        var elements: [ExpressionSyntax] = []
        while current.kind != closing {
            elements.append(try expression())
            if !accept(.comma) { break }
        }
        try expect(closing, "to close the list")
        return elements
    }
}
