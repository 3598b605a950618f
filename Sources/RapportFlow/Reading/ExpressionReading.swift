import Foundation
import RapportCore

/// Compiles the expressions written in a model (conditions, script lines) as CEL over process variables.
enum ExpressionReading {
    enum Outcome {
        case success(FlowExpression)
        /// Why it cannot run, phrased to follow the quoted expression.
        case failure(String)
    }

    static func compile(_ text: String) -> Outcome {
        let source = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if source.isEmpty { return .failure("is empty") }
        if source.hasPrefix("=") {
            return .failure("is FEEL (Camunda 8's `=` form), which is not supported yet; write it in CEL")
        }
        do {
            return .success(FlowExpression(source: source, compiled: try CompiledExpression(freeVariables: source)))
        } catch {
            return .failure("is not valid CEL: \(error.message) (at \(error.line):\(error.column))")
        }
    }

    /// CEL, or a Camunda 8 FEEL expression that is only a path (`=order.items`), which reads the same.
    static func compileAllowingPath(_ text: String) -> Outcome {
        let source = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard source.hasPrefix("=") else { return compile(source) }
        let path = source.dropFirst().trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty, path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else {
            return .failure("is FEEL beyond a plain path, which is not supported yet; write it in CEL")
        }
        return compile(path)
    }

    static func isCEL(_ language: String) -> Bool {
        ["cel", "text/x-cel", "application/x-cel", "https://github.com/google/cel-spec"].contains(language.lowercased())
    }

    static func quoted(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return "`" + (trimmed.count > 80 ? String(trimmed.prefix(80)) + "…" : trimmed) + "`"
    }
}
