/// The elements of a file that events refer to by id: `<message>`, `<signal>`, `<error>` and
/// `<escalation>`, each kept by its id.
struct RootElements {
    var messages: [String: XMLElementNode] = [:]
    var signals: [String: XMLElementNode] = [:]
    var errors: [String: XMLElementNode] = [:]
    var escalations: [String: XMLElementNode] = [:]

    init() {}

    init(of definitions: XMLElementNode) {
        for element in definitions.children where element.namespace == BPMNNamespace.model {
            guard let id = element.attribute("id") else { continue }
            switch element.localName {
            case "message": messages[id] = element
            case "signal": signals[id] = element
            case "error": errors[id] = element
            case "escalation": escalations[id] = element
            default: break
            }
        }
    }
}
