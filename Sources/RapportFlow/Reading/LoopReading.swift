/// Reads an activity's `<multiInstanceLoopCharacteristics>`: Rapport's `<rapport:loopCharacteristics>`
/// (CEL) or Camunda 8's `<zeebe:loopCharacteristics>` (a plain `=path`) for the collection and
/// output, BPMN's `<loopCardinality>` and `<completionCondition>` (CEL).
extension NodeReading {
    /// The activity's loop; nil when it has none or after a problem (`failed` tells which).
    mutating func loop() -> (loop: MultiInstanceLoop?, failed: Bool) {
        let model = element.children.filter { $0.namespace == BPMNNamespace.model }
        if let standard = model.first(where: { $0.localName == "standardLoopCharacteristics" }) {
            _ = unsupported("a loop (<\(standard.qualifiedName)>)")
            return (nil, true)
        }
        guard let characteristics = model.first(where: { $0.localName == "multiInstanceLoopCharacteristics" }) else { return (nil, false) }
        let before = problems.count
        let extensions = characteristics.child("extensionElements", namespace: BPMNNamespace.model)
        let settings = extensions?.child("loopCharacteristics", namespace: BPMNNamespace.rapport)
            ?? extensions?.child("loopCharacteristics", namespace: BPMNNamespace.zeebe)
        let collection = settings?.attribute("inputCollection").flatMap { expression($0, "the input collection", line: settings!.line) }
        let cardinality = characteristics.child("loopCardinality", namespace: BPMNNamespace.model).flatMap { expression($0.text, "the loop cardinality", line: $0.line) }
        let completion = characteristics.child("completionCondition", namespace: BPMNNamespace.model).flatMap {
            expression($0.text, "the completion condition", line: $0.line)
        }
        let outputElement = settings?.attribute("outputElement").flatMap { expression($0, "the output element", line: settings!.line) }
        let element = name(settings?.attribute("inputElement"), "inputElement", line: settings?.line)
        let output = name(settings?.attribute("outputCollection"), "outputCollection", line: settings?.line)
        if collection == nil && cardinality == nil && problems.count == before {
            problem(characteristics.line, "a multi-instance activity needs what to run over: <rapport:loopCharacteristics inputCollection=\"…\"/> "
                    + "(or zeebe:loopCharacteristics) or a <loopCardinality>")
        }
        if outputElement != nil && output == nil {
            problem(characteristics.line, "an outputElement needs an outputCollection to gather into")
        }
        guard problems.count == before else { return (nil, true) }
        return (MultiInstanceLoop(sequential: characteristics.attribute("isSequential") == "true", collection: collection, cardinality: cardinality,
                                  element: element, outputCollection: output, outputElement: outputElement, completionCondition: completion),
                false)
    }

    private mutating func expression(_ text: String, _ what: String, line: Int) -> FlowExpression? {
        switch ExpressionReading.compile(text) {
        case .success(let compiled): return compiled
        case .failure(let why):
            problem(line, "\(what) \(ExpressionReading.quoted(text)) \(why)")
            return nil
        }
    }

    /// A variable name: letters, digits and `_`, not starting with a digit.
    private mutating func name(_ text: String?, _ attribute: String, line: Int?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let plain = text.hasPrefix("=") ? String(text.dropFirst()).trimmingCharacters(in: .whitespaces) : text
        guard ExpressionReading.isVariableName(plain) else {
            problem(line ?? element.line, "\(attribute) \(ExpressionReading.quoted(text)) is not a variable name")
            return nil
        }
        return plain
    }
}
