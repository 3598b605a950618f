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
            // Camunda 8's FEEL: the common subset is read as the CEL it means.
            switch FEELTranslation.cel(from: String(source.dropFirst())) {
            case .failure(let refusal):
                return .failure("is FEEL beyond the subset Rapport reads (\(refusal.reason)); write it in CEL")
            case .success(let cel):
                do {
                    return .success(FlowExpression(source: source, compiled: try CompiledExpression(freeVariables: cel)))
                } catch {
                    return .failure("is FEEL Rapport could not read (as CEL `\(cel)`: \(error.message))")
                }
            }
        }
        do {
            return .success(FlowExpression(source: source, compiled: try CompiledExpression(freeVariables: source)))
        } catch {
            return .failure("is not valid CEL: \(error.message) (at \(error.line):\(error.column))")
        }
    }

    /// An expression whose value is this text (a static value where Camunda 8 allows one).
    static func text(_ value: String) -> FlowExpression? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        guard let data = try? encoder.encode(value), let literal = String(data: data, encoding: .utf8),
              let compiled = try? CompiledExpression(freeVariables: literal) else { return nil }
        return FlowExpression(source: value, compiled: compiled)
    }

    /// A letter or `_`, then ASCII letters, digits and `_`: what a variable (or form key) may be called.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    static func isCEL(_ language: String) -> Bool {
        ["cel", "text/x-cel", "application/x-cel", "https://github.com/google/cel-spec"].contains(language.lowercased())
    }

    static func quoted(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return "`" + (trimmed.count > 80 ? String(trimmed.prefix(80)) + "…" : trimmed) + "`"
    }
}
