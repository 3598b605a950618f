/// One lexical token of an expression, with the UTF-8 offset where it starts.
struct ExpressionToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        /// An integer literal's magnitude; the parser applies a leading minus.
        case integer(UInt64)
        case double(Double)
        case string(String)
        case trueLiteral, falseLiteral, nullLiteral, inKeyword
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case dot, comma, colon, question
        case bang, minus, plus, star, slash, percent
        case less, lessEqual, greater, greaterEqual, equal, notEqual
        case and, or
        case end
    }

    var kind: Kind
    var offset: Int
}

extension ExpressionToken.Kind {
    /// How the token reads in an error message.
    var display: String {
        switch self {
        case .identifier(let name): return "'\(name)'"
        case .integer(let value): return "'\(value)'"
        case .double(let value): return "'\(value)'"
        case .string: return "string literal"
        case .trueLiteral: return "'true'"
        case .falseLiteral: return "'false'"
        case .nullLiteral: return "'null'"
        case .inKeyword: return "'in'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .dot: return "'.'"
        case .comma: return "','"
        case .colon: return "':'"
        case .question: return "'?'"
        case .bang: return "'!'"
        case .minus: return "'-'"
        case .plus: return "'+'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .and: return "'&&'"
        case .or: return "'||'"
        case .end: return "end of expression"
        }
    }
}
