/// The elements of a file that events refer to by id: `<message>`, `<signal>`, `<error>` and
/// `<escalation>`, each kept by its id; and the Camunda forms embedded in its processes
/// (`<zeebe:userTaskForm id="…">` JSON in a process's extension elements), which user tasks name.
struct RootElements {
    var messages: [String: XMLElementNode] = [:]
    var forms: [String: XMLElementNode] = [:]
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
            case "process":
                for form in element.child("extensionElements", namespace: BPMNNamespace.model)?.children("userTaskForm", namespace: BPMNNamespace.zeebe) ?? [] {
                    if let formID = form.attribute("id") { forms[formID] = form }
                }
            default: break
            }
        }
    }
}
