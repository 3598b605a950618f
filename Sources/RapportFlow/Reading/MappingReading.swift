/// Reads a node's input and output mappings: Camunda 8's `<zeebe:ioMapping>` (FEEL in the `=…`
/// form, or static text) or `<rapport:ioMapping>` (CEL). A call activity's mappings are its call's
/// (read with it); a built-in action's `<rapport:input>`s are the action's inputs, its outputs and
/// any `<zeebe:ioMapping>` the node's.
extension NodeReading {
    mutating func mappings(of kind: NodeKindReading) -> NodeMappings? {
        let rapport = extensionElement("ioMapping", namespace: BPMNNamespace.rapport)
        let zeebe = extensionElement("ioMapping", namespace: BPMNNamespace.zeebe)
        guard rapport != nil || zeebe != nil else { return nil }
        switch kind {
        case .ready(.callActivity):
            return nil
        case .gateway, .ready(.parallelGateway), .ready(.eventBasedGateway):
            problem((rapport ?? zeebe)?.line ?? element.line, "a gateway takes no variable mappings (ioMapping): map them on the activities around it")
            return nil
        case .ready(.builtInTask):
            let outputs = rapport.map { variableMappings($0.children("output", namespace: BPMNNamespace.rapport)) } ?? []
            let theirs = zeebe.map { ($0, BPMNNamespace.zeebe) }
            return combined(rapport: NodeMappings(inputs: [], outputs: outputs), theirs)
        default:
            if let rapport, let zeebe {
                problem(zeebe.line, "give one ioMapping, <rapport:ioMapping> (CEL) or <zeebe:ioMapping> (FEEL), not both (the other is at line \(rapport.line))")
                return nil
            }
            return combined(rapport: nil, rapport.map { ($0, BPMNNamespace.rapport) } ?? zeebe.map { ($0, BPMNNamespace.zeebe) })
        }
    }

    private mutating func combined(rapport own: NodeMappings?, _ holder: (XMLElementNode, String)?) -> NodeMappings? {
        var inputs = own?.inputs ?? []
        var outputs = own?.outputs ?? []
        if let (element, namespace) = holder {
            let zeebe = namespace == BPMNNamespace.zeebe
            inputs += variableMappings(element.children("input", namespace: namespace), zeebe: zeebe)
            outputs += variableMappings(element.children("output", namespace: namespace), zeebe: zeebe)
        }
        return inputs.isEmpty && outputs.isEmpty ? nil : NodeMappings(inputs: inputs, outputs: outputs)
    }
}
