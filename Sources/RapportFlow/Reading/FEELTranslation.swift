/// Reads the common subset of FEEL that Camunda 8 models write as `=…` (comparisons, `and`/`or`/
/// `not()`, arithmetic, paths, literal indexes, lists, `if … then … else …`, and the string and list
/// functions `count`, `string length`, `contains`, `starts with`, `ends with`, `lower case`,
/// `matches`, `list contains`, `string`, `number`) and writes it as the CEL Rapport runs. What is
/// outside the subset is refused with what it is.
struct FEELTranslation {
    private enum Token: Equatable {
        case name(String)
        case number(String)
        case text(String)
        case symbol(String)
    }

    private var tokens: [Token] = []
    private var position = 0

    /// The CEL for `feel` (without its leading `=`), or why it is outside the subset.
    static func cel(from feel: String) -> Result<String, FEELRefusal> {
        var translation = FEELTranslation()
        do throws(FEELRefusal) {
            translation.tokens = try tokenize(feel)
            let cel = try translation.expression()
            guard translation.position == translation.tokens.count else {
                throw FEELRefusal("\(translation.describe(translation.tokens[translation.position])) after a whole expression")
            }
            return .success(cel)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Grammar

    private mutating func expression() throws(FEELRefusal) -> String {
        if accept(.name("if")) {
            let condition = try expression()
            try expect(.name("then"))
            let whenTrue = try expression()
            try expect(.name("else"))
            let whenFalse = try expression()
            return "(\(condition) ? \(whenTrue) : \(whenFalse))"
        }
        var left = try conjunction()
        while accept(.name("or")) { left = "\(left) || \(try conjunction())" }
        return left
    }

    private mutating func conjunction() throws(FEELRefusal) -> String {
        var left = try comparison()
        while accept(.name("and")) { left = "\(left) && \(try comparison())" }
        return left
    }

    private mutating func comparison() throws(FEELRefusal) -> String {
        let left = try additive()
        for (feel, cel) in [("=", "=="), ("!=", "!="), ("<=", "<="), (">=", ">="), ("<", "<"), (">", ">")] where accept(.symbol(feel)) {
            return "\(left) \(cel) \(try additive())"
        }
        if accept(.name("in")) { return "\(left) in \(try additive())" }
        if peek == .name("between") { throw FEELRefusal("`between` is not in the subset Rapport reads") }
        return left
    }

    private mutating func additive() throws(FEELRefusal) -> String {
        var left = try multiplicative()
        while true {
            if accept(.symbol("+")) { left = "\(left) + \(try multiplicative())" } else if accept(.symbol("-")) {
                left = "\(left) - \(try multiplicative())"
            } else { return left }
        }
    }

    private mutating func multiplicative() throws(FEELRefusal) -> String {
        var left = try unary()
        while true {
            if accept(.symbol("*")) { left = "\(left) * \(try unary())" } else if accept(.symbol("/")) {
                left = "\(left) / \(try unary())"
            } else if peek == .symbol("**") { throw FEELRefusal("`**` is not in the subset Rapport reads") } else { return left }
        }
    }

    private mutating func unary() throws(FEELRefusal) -> String {
        if accept(.symbol("-")) { return "-\(try unary())" }
        return try postfix()
    }

    private mutating func postfix() throws(FEELRefusal) -> String {
        var value = try primary()
        while true {
            if accept(.symbol(".")) {
                guard case .name(let field)? = next() else { throw FEELRefusal("a path needs a name after `.`") }
                value += "." + field
            } else if accept(.symbol("[")) {
                // FEEL counts from 1; a filter or a computed index is beyond the subset.
                guard case .number(let text)? = next(), let index = Int(text), index >= 1 else {
                    throw FEELRefusal("only an index that is a whole number from 1 is in the subset (not a filter)")
                }
                try expect(.symbol("]"))
                value += "[\(index - 1)]"
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws(FEELRefusal) -> String {
        guard let token = next() else { throw FEELRefusal("the expression ends too soon") }
        switch token {
        case .number(let text): return text
        case .text(let text): return Self.quote(text)
        case .symbol("("):
            let inner = try expression()
            try expect(.symbol(")"))
            return "(\(inner))"
        case .symbol("["):
            var items: [String] = []
            if !accept(.symbol("]")) {
                repeat { items.append(try expression()) } while accept(.symbol(","))
                try expect(.symbol("]"))
            }
            return "[" + items.joined(separator: ", ") + "]"
        case .name("true"), .name("false"), .name("null"):
            if case .name(let word) = token { return word }
            return ""
        case .name(let first):
            // Functions with spaces in their names: `string length(…)`, `starts with(…)`, …
            var name = first
            while case .name(let more)? = peek, Self.functions.keys.contains(where: { $0.hasPrefix(name + " " + more) }) {
                position += 1
                name += " " + more
            }
            if accept(.symbol("(")) { return try call(name) }
            guard !Self.keywords.contains(name) else { throw FEELRefusal("`\(name)` is not in the subset Rapport reads") }
            return name
        case .symbol(let symbol):
            throw FEELRefusal("`\(symbol)` is not in the subset Rapport reads")
        }
    }

    private mutating func call(_ name: String) throws(FEELRefusal) -> String {
        var arguments: [String] = []
        if !accept(.symbol(")")) {
            repeat {
                if case .name? = peek, tokens.count > position + 1, tokens[position + 1] == .symbol(":") {
                    throw FEELRefusal("named arguments are not in the subset Rapport reads")
                }
                arguments.append(try expression())
            } while accept(.symbol(","))
            try expect(.symbol(")"))
        }
        guard let (count, write) = Self.functions[name] else {
            throw FEELRefusal("the function \(name)() is not in the subset Rapport reads")
        }
        guard arguments.count == count else { throw FEELRefusal("\(name)() takes \(count) argument\(count == 1 ? "" : "s"), not \(arguments.count)") }
        return write(arguments)
    }

    /// FEEL functions of the subset: how many arguments, and the CEL for them.
    private static let functions: [String: (Int, @Sendable ([String]) -> String)] = [
        "not": (1, { "!(\($0[0]))" }),
        "count": (1, { "size(\($0[0]))" }),
        "string length": (1, { "size(\($0[0]))" }),
        "contains": (2, { "(\($0[0])).contains(\($0[1]))" }),
        "starts with": (2, { "(\($0[0])).startsWith(\($0[1]))" }),
        "ends with": (2, { "(\($0[0])).endsWith(\($0[1]))" }),
        "lower case": (1, { "(\($0[0])).lowerAscii()" }),
        "matches": (2, { "(\($0[0])).matches(\($0[1]))" }),
        "list contains": (2, { "(\($0[1])) in (\($0[0]))" }),
        "string": (1, { "string(\($0[0]))" }),
        "number": (1, { "double(\($0[0]))" }),
    ]

    private static let keywords: Set<String> = ["if", "then", "else", "and", "or", "in", "for", "some", "every", "satisfies", "return", "function", "instance", "of", "between"]

    // MARK: - Tokens

    private var peek: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func next() -> Token? {
        defer { position += 1 }
        return peek
    }

    private mutating func accept(_ token: Token) -> Bool {
        guard peek == token else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ token: Token) throws(FEELRefusal) {
        guard accept(token) else { throw FEELRefusal("expected \(describe(token)) \(peek.map { "before " + describe($0) } ?? "at the end")") }
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .name(let text), .number(let text), .symbol(let text): "`\(text)`"
        case .text(let text): "\"\(text)\""
        }
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    private static func tokenize(_ source: String) throws(FEELRefusal) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(source)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                tokens.append(.name(String(characters[index..<end])))
                index = end
            } else if character.isNumber {
                var end = index
                while end < characters.count, characters[end].isNumber || (characters[end] == "." && end + 1 < characters.count && characters[end + 1].isNumber) {
                    end += 1
                }
                tokens.append(.number(String(characters[index..<end])))
                index = end
            } else if character == "\"" {
                var text = ""
                index += 1
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                        text.append(characters[index] == "n" ? "\n" : characters[index])
                    } else {
                        text.append(characters[index])
                    }
                    index += 1
                }
                guard index < characters.count else { throw FEELRefusal("a string is not closed") }
                index += 1
                tokens.append(.text(text))
            } else {
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["!=", "<=", ">=", "**", ".."].contains(two) {
                    if two == ".." { throw FEELRefusal("ranges (`..`) are not in the subset Rapport reads") }
                    tokens.append(.symbol(two))
                    index += 2
                } else if "=<>+-*/()[],.:".contains(character) {
                    tokens.append(.symbol(String(character)))
                    index += 1
                } else {
                    throw FEELRefusal("`\(character)` is not in the subset Rapport reads")
                }
            }
        }
        return tokens
    }
}

/// Why a FEEL expression is outside the subset Rapport reads.
struct FEELRefusal: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
