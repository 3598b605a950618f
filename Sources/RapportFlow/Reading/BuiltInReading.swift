/// Reads a service task that names one of Rapport's own actions as its type
/// (`<rapport:taskDefinition type="rapport.note" resultVariable="note_id"/>`) with its inputs
/// (`<rapport:ioMapping><rapport:input source="CEL" target="body"/></rapport:ioMapping>`).
extension NodeReading {
    /// Nil when the task is not Rapport's own; `.some(nil)` after a problem.
    mutating func builtIn() -> BuiltInAction?? {
        guard let definition = extensionElement("taskDefinition", namespace: BPMNNamespace.rapport),
              let type = definition.attribute("type")?.trimmingCharacters(in: .whitespaces), type.hasPrefix("rapport.") else { return nil }
        guard let kind = BuiltInAction.Kind(rawValue: type) else {
            let known = BuiltInAction.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            problem(definition.line, "\(type) is not one of Rapport's actions (\(known)); a job type of your own must not start with rapport.")
            return .some(nil)
        }
        let before = problems.count
        let inputs = extensionElement("ioMapping", namespace: BPMNNamespace.rapport).map { variableMappings($0.children("input", namespace: BPMNNamespace.rapport)) } ?? []
        let given = Set(inputs.map(\.target))
        for missing in kind.required.subtracting(given).sorted() {
            problem(definition.line, "\(type) needs the input \(missing): <rapport:input source=\"…\" target=\"\(missing)\"/> in a <rapport:ioMapping>")
        }
        for unknown in given.subtracting(kind.allowed).sorted() {
            problem(definition.line, "\(type) takes no input \(unknown) (it takes \(kind.allowed.sorted().joined(separator: ", ")))")
        }
        var result: String?
        if let text = definition.attribute("resultVariable")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard ExpressionReading.isVariableName(text) else {
                problem(definition.line, "resultVariable \(ExpressionReading.quoted(text)) is not a variable name")
                return .some(nil)
            }
            result = text
        }
        guard problems.count == before else { return .some(nil) }
        return .some(BuiltInAction(kind: kind, inputs: inputs, resultVariable: result))
    }
}
