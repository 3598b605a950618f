/// The `<message>` elements of a file, which message catch events and receive tasks refer to.
enum MessageReading {
    static func messages(of definitions: XMLElementNode) -> [String: XMLElementNode] {
        var found: [String: XMLElementNode] = [:]
        for message in definitions.children("message", namespace: BPMNNamespace.model) {
            if let id = message.attribute("id") { found[id] = message }
        }
        return found
    }
}
