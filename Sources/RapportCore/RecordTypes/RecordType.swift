/// A kind of business record defined at run time — a deal, an order, an invoice, a loan
/// application, a booking — with its fields. Its key is stable (records, CEL and URLs use it);
/// everything else can change while records are stored, as `RecordTypeChange` allows.
public struct RecordType: Sendable, Equatable {
    public var key: String
    public var label: String
    public var pluralLabel: String
    public var description: String?
    public var fields: [FieldDefinition]
    /// The pipeline its records move through, in order; empty when it has none.
    public var stages: [PipelineStage]
    /// What its records' changes set going in other departments.
    public var automations: [RecordAutomation]
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(key: String, label: String, pluralLabel: String, description: String? = nil, fields: [FieldDefinition],
                stages: [PipelineStage] = [], automations: [RecordAutomation] = [], version: Int64 = 1, createdAt: Timestamp,
                updatedAt: Timestamp) {
        self.key = key
        self.label = label
        self.pluralLabel = pluralLabel
        self.description = description
        self.fields = fields
        self.stages = stages
        self.automations = automations
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let maxFields = 200

    public func field(_ key: String) -> FieldDefinition? { fields.first { $0.key == key } }

    /// The fields that take values (the retired ones keep theirs, for history).
    public var liveFields: [FieldDefinition] { fields.filter { !$0.retired } }

    public var json: JSONValue {
        var object = JSONObject()
        object["key"] = .string(key)
        object["label"] = .string(label)
        object["plural_label"] = .string(pluralLabel)
        object["description"] = description.map(JSONValue.string) ?? .null
        object["fields"] = .array(fields.map(\.json))
        object["stages"] = .array(stages.map(\.json))
        object["automations"] = .array(automations.map(\.json))
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }

    public var etag: String { "\"rt_\(key)-v\(version)\"" }
}

/// A record type as a request defines it (a create, or the whole definition a PUT replaces).
public struct RecordTypeDraft: Sendable, Equatable {
    public var key: String
    public var label: String
    public var pluralLabel: String
    public var description: String?
    public var fields: [FieldDefinition]
    public var stages: [PipelineStage]
    public var automations: [RecordAutomation]

    public init(key: String, label: String, pluralLabel: String, description: String? = nil, fields: [FieldDefinition],
                stages: [PipelineStage] = [], automations: [RecordAutomation] = []) {
        self.key = key
        self.label = label
        self.pluralLabel = pluralLabel
        self.description = description
        self.fields = fields
        self.stages = stages
        self.automations = automations
    }

    /// `{"key": "deal", "label": "Deal", "plural_label": "Deals", "fields": [{"key": "amount", "label": "Amount", "kind": "money"}, …]}`.
    public static func read(_ value: JSONValue, context: FieldValueContext) throws(ValidationFailure) -> RecordTypeDraft {
        var reader = try InputReader(value)
        let key = reader.string("key", required: true, maxLength: 40)
        if let key, !RecordTypeKey.isValid(key) {
            reader.fail("key", "must be lower-case letters, digits and _, starting with a letter (it names the type in URLs and CEL)")
        }
        let label = reader.string("label", required: true, maxLength: 200)
        let plural = reader.string("plural_label", maxLength: 200)
        let description = reader.string("description", maxLength: 2_000)
        var fields: [FieldDefinition] = []
        if let raw = reader.value("fields") {
            if let items = raw.arrayValue, items.count <= RecordType.maxFields {
                for (index, item) in items.enumerated() {
                    let path = reader.field("fields[\(index)]")
                    do throws(ValidationFailure) {
                        let field = try FieldDefinition.read(item, path: path, context: context)
                        if fields.contains(where: { $0.key == field.key }) {
                            reader.absorb(ValidationFailure(field: "\(path).key", message: "\(field.key) is already a field of this type"))
                        } else {
                            fields.append(field)
                        }
                    } catch {
                        reader.absorb(error)
                    }
                }
            } else {
                reader.fail("fields", "expected a list of at most \(RecordType.maxFields) fields")
            }
        }
        var stages: [PipelineStage] = []
        if let raw = reader.value("stages"), !raw.isNull { stages = PipelineStage.readStages(raw, fields: fields, reader: &reader) }
        var automations: [RecordAutomation] = []
        if let raw = reader.value("automations"), !raw.isNull { automations = RecordAutomation.read(raw, stages: stages, reader: &reader) }
        try reader.finish()
        return RecordTypeDraft(key: key ?? "", label: label ?? "", pluralLabel: plural ?? label ?? "", description: description, fields: fields,
                               stages: stages, automations: automations)
    }
}
