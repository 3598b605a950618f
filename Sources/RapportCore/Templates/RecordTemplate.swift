/// A set of record types with their pipelines for one department or scenario, installed with one
/// call (`POST /v1/templates/{name}/install`, `rapport templates install <name>`). The definitions
/// are ordinary record type definitions, read and checked as a request's would be.
public struct RecordTemplate: Sendable {
    public let name: String
    public let label: String
    public let summary: String
    /// Templates whose types these refer to, installed first.
    public let requires: [String]
    /// A JSON list of record type definitions, in the order they are created.
    let definitions: String

    /// The drafts of its types, checked.
    public func drafts(context: FieldValueContext) throws(ValidationFailure) -> [RecordTypeDraft] {
        guard let items = (try? JSONParser.parse(definitions))?.arrayValue else {
            throw ValidationFailure(field: name, message: "the template's definitions are not a JSON list")
        }
        var drafts: [RecordTypeDraft] = []
        for item in items { drafts.append(try RecordTypeDraft.read(item, context: context)) }
        return drafts
    }

    public var json: JSONValue {
        let keys = ((try? JSONParser.parse(definitions))?.arrayValue ?? []).compactMap { $0.objectValue?["key"]?.stringValue }
        return ["name": .string(name), "label": .string(label), "summary": .string(summary),
                "requires": .array(requires.map(JSONValue.string)), "record_types": .array(keys.map(JSONValue.string))]
    }
}

public enum RecordTemplates {
    public static let all: [RecordTemplate] = [sales, finance, marketing, service, ecommerce, banking, travel]

    public static func named(_ name: String) -> RecordTemplate? { all.first { $0.name == name } }

    /// The template and those it requires, each once, the required first.
    public static func withRequirements(_ template: RecordTemplate) -> [RecordTemplate] {
        var ordered: [RecordTemplate] = []
        func visit(_ template: RecordTemplate) {
            guard !ordered.contains(where: { $0.name == template.name }) else { return }
            for name in template.requires { if let required = named(name) { visit(required) } }
            ordered.append(template)
        }
        visit(template)
        return ordered
    }
}
