/// Reads a call activity: the process it calls (`calledElement`, or `<rapport:calledElement
/// processId="…"/>`, or Camunda 8's `<zeebe:calledElement processId="…"/>`) and its variable
/// mappings (`<rapport:ioMapping>` in CEL, or `<zeebe:ioMapping>` in FEEL's `=…` form or static text).
extension NodeReading {
    mutating func call() -> CallDefinition? {
        let rapport = extensionElement("calledElement", namespace: BPMNNamespace.rapport)
        let zeebe = extensionElement("calledElement", namespace: BPMNNamespace.zeebe)
        let key = (rapport?.attribute("processId") ?? zeebe?.attribute("processId") ?? element.attribute("calledElement"))?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard !key.isEmpty else {
            problem(element.line, "a call activity needs the process it calls: calledElement=\"…\", <rapport:calledElement processId=\"…\"/> "
                    + "or Camunda 8's <zeebe:calledElement processId=\"…\"/>")
            return nil
        }
        if key.hasPrefix("=") {
            problem(element.line, "a called process written in FEEL is not supported; give its id as text")
            return nil
        }
        let before = problems.count
        let rapportMappings = extensionElement("ioMapping", namespace: BPMNNamespace.rapport)
        let zeebeMappings = extensionElement("ioMapping", namespace: BPMNNamespace.zeebe)
        let holder = rapportMappings ?? zeebeMappings
        let namespace = rapportMappings != nil ? BPMNNamespace.rapport : BPMNNamespace.zeebe
        let staticText = namespace == BPMNNamespace.zeebe
        var inputs = holder.map { variableMappings($0.children("input", namespace: namespace), zeebe: staticText) }
        var outputs = holder.map { variableMappings($0.children("output", namespace: namespace), zeebe: staticText) }
        if inputs?.isEmpty == true { inputs = nil }
        if outputs?.isEmpty == true { outputs = nil }
        if (rapport ?? zeebe)?.attribute("propagateAllChildVariables") == "false", outputs == nil { outputs = [] }
        guard problems.count == before else { return nil }
        return CallDefinition(processKey: key, inputs: inputs, outputs: outputs)
    }

    /// `<input|output source="…" target="…"/>` elements as mappings; a bad one is a problem. In
    /// Camunda 8's (`zeebe`), a source not in the `=…` form is a static text, as Zeebe reads it.
    mutating func variableMappings(_ elements: [XMLElementNode], zeebe: Bool = false) -> [VariableMapping] {
        var found: [VariableMapping] = []
        for mapping in elements {
            let target = (mapping.attribute("target") ?? "").trimmingCharacters(in: .whitespaces)
            guard ExpressionReading.isVariableName(target) else {
                problem(mapping.line, "the mapping's target \(ExpressionReading.quoted(target)) is not a variable name")
                continue
            }
            let source = mapping.attribute("source") ?? ""
            if zeebe, !source.trimmingCharacters(in: .whitespaces).hasPrefix("="), let text = ExpressionReading.text(source) {
                found.append(VariableMapping(target: target, source: text))
                continue
            }
            switch ExpressionReading.compile(source) {
            case .success(let source): found.append(VariableMapping(target: target, source: source))
            case .failure(let why): problem(mapping.line, "the mapping's source \(ExpressionReading.quoted(mapping.attribute("source") ?? "")) \(why)")
            }
        }
        return found
    }
}
