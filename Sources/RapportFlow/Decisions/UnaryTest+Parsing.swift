import RapportCore

extension UnaryTest {
    /// Reads a cell: nil when it is not a unary test of the subset (the reason in `why`).
    public static func parse(_ text: String) -> Result<UnaryTest, UnaryTestRefusal> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "-" { return .success(.any) }
        if trimmed.hasPrefix("not("), trimmed.hasSuffix(")") {
            let inner = String(trimmed.dropFirst(4).dropLast())
            return list(inner).map { .not($0) }
        }
        return list(trimmed).map { $0.count == 1 ? $0[0] : .oneOf($0) }
    }

    private static func list(_ text: String) -> Result<[UnaryTest], UnaryTestRefusal> {
        var tests: [UnaryTest] = []
        for part in splitTopLevel(text) {
            switch single(part.trimmingCharacters(in: .whitespaces)) {
            case .success(let test): tests.append(test)
            case .failure(let refusal): return .failure(refusal)
            }
        }
        return tests.isEmpty ? .failure(UnaryTestRefusal(reason: "is empty")) : .success(tests)
    }

    private static func single(_ text: String) -> Result<UnaryTest, UnaryTestRefusal> {
        if text == "-" { return .success(.any) }
        for comparison in [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater] where text.hasPrefix(comparison.rawValue) {
            return endpoint(String(text.dropFirst(comparison.rawValue.count))).map { .compare(comparison, $0) }
        }
        if let first = text.first, "[(]".contains(first), let last = text.last, "[)]".contains(last), let dots = text.range(of: "..") {
            let lowText = String(text[text.index(after: text.startIndex)..<dots.lowerBound])
            let highText = String(text[dots.upperBound..<text.index(before: text.endIndex)])
            switch (endpoint(lowText), endpoint(highText)) {
            case (.success(let low), .success(let high)):
                return .success(.range(low: low, lowIncluded: first == "[", high: high, highIncluded: last == "]"))
            case (.failure(let refusal), _), (_, .failure(let refusal)):
                return .failure(refusal)
            }
        }
        return endpoint(text).map { .equal($0) }
    }

    /// A literal: a number, a "string", true, false or null.
    private static func endpoint(_ raw: String) -> Result<JSONValue, UnaryTestRefusal> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            guard let value = try? JSONParser.parse(text), case .string = value else {
                return .failure(UnaryTestRefusal(reason: "\(text) is not a string literal"))
            }
            return .success(value)
        }
        switch text {
        case "true": return .success(.bool(true))
        case "false": return .success(.bool(false))
        case "null": return .success(.null)
        default: break
        }
        if let whole = Int64(text) { return .success(.integer(whole)) }
        if let real = Double(text), real.isFinite, text.allSatisfy({ $0.isNumber || ".-+eE".contains($0) }) { return .success(.double(real)) }
        return .failure(UnaryTestRefusal(reason: "\(text.isEmpty ? "an empty value" : text) is not a literal (a number, a \"string\", true, false or null); "
                                         + "expressions in input entries are not supported"))
    }

    /// Splits at commas outside quotes, brackets and parentheses.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in text {
            if quoted {
                current.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { quoted = false }
                continue
            }
            switch character {
            case "\"": quoted = true
            case "(": depth += 1
            case ")": depth -= 1
            // A range opens and closes with either bracket (`]1..10[`); ranges do not nest.
            case "[", "]": depth += depth > 0 ? -1 : 1
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}

/// Why a cell is not a unary test Rapport reads.
public struct UnaryTestRefusal: Error, Sendable, Equatable {
    public let reason: String
}
