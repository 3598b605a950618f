import Foundation

/// Splits a CEL script into `variable = expression` assignments; an expression may go on over
/// further lines that do not start a new assignment. Blank lines and `//` comments are skipped.
enum ScriptParsing {
    struct Line: Equatable {
        var variable: String
        var expression: String
        /// Lines after the `<script>` element's own line.
        var lineOffset: Int
    }

    struct Failure: Error, Equatable {
        var lineOffset: Int
        var message: String
    }

    static func assignments(in script: String) -> Result<[Line], Failure> {
        var lines: [Line] = []
        for (offset, raw) in script.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = raw.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("//") { continue }
            if let (variable, expression) = assignment(text) {
                lines.append(Line(variable: variable, expression: expression, lineOffset: offset))
            } else if !lines.isEmpty {
                lines[lines.count - 1].expression += "\n" + text
            } else {
                return .failure(Failure(lineOffset: offset, message: "the script's line `\(text)` is not `variable = expression`"))
            }
        }
        if lines.isEmpty { return .failure(Failure(lineOffset: 0, message: "the script is empty")) }
        return .success(lines)
    }

    /// `name = rest` with `name` an identifier and `=` not part of `==`.
    private static func assignment(_ line: String) -> (String, String)? {
        let scalars = Array(line.unicodeScalars)
        var index = 0
        func isStart(_ scalar: Unicode.Scalar) -> Bool { scalar == "_" || (scalar.isASCII && scalar.properties.isAlphabetic) }
        func isPart(_ scalar: Unicode.Scalar) -> Bool { isStart(scalar) || ("0"..."9").contains(scalar) }
        guard index < scalars.count, isStart(scalars[index]) else { return nil }
        while index < scalars.count, isPart(scalars[index]) { index += 1 }
        let name = String(String.UnicodeScalarView(scalars[0..<index]))
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        guard index < scalars.count, scalars[index] == "=", index + 1 >= scalars.count || scalars[index + 1] != "=" else { return nil }
        let expression = String(String.UnicodeScalarView(scalars[(index + 1)...])).trimmingCharacters(in: .whitespaces)
        guard !expression.isEmpty else { return nil }
        return (name, expression)
    }
}
