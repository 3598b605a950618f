/// One choice of a choice field: a stable key stored in records, and the label people see.
public struct FieldChoice: Sendable, Equatable {
    public var key: String
    public var label: String

    public init(key: String, label: String) {
        self.key = key
        self.label = label
    }

    public var json: JSONValue { ["key": .string(key), "label": .string(label)] }
}

/// A field of a record type: its key (stable, what records and CEL use), its label, what it holds,
/// and the rules its values keep.
public struct FieldDefinition: Sendable, Equatable {
    public var key: String
    public var label: String
    public var kind: FieldKind
    /// A record must have a value (a create fills the default first).
    public var required: Bool
    /// No two records of the type have the same value (the store keeps it).
    public var unique: Bool
    /// The value a new record gets when it gives none (already in the field's form).
    public var defaultValue: JSONValue?
    /// The choices of a choice or multi-choice field.
    public var choices: [FieldChoice]
    /// What a reference field points at.
    public var target: ReferenceTarget?
    /// A CEL condition each value must meet (`value` is the field's value, `record` the record's fields).
    public var validation: String?
    /// A retired field keeps its stored values for history but takes no new ones.
    public var retired: Bool
    /// Computed from the records that refer to this one; requests never set it.
    public var rollup: FieldRollup?

    public init(key: String, label: String, kind: FieldKind, required: Bool = false, unique: Bool = false, defaultValue: JSONValue? = nil,
                choices: [FieldChoice] = [], target: ReferenceTarget? = nil, validation: String? = nil, retired: Bool = false) {
        self.key = key
        self.label = label
        self.kind = kind
        self.required = required
        self.unique = unique
        self.defaultValue = defaultValue
        self.choices = choices
        self.target = target
        self.validation = validation
        self.retired = retired
    }

    public static let maxChoices = 200

    public var json: JSONValue {
        var object = JSONObject()
        object["key"] = .string(key)
        object["label"] = .string(label)
        object["kind"] = .string(kind.rawValue)
        object["required"] = .bool(required)
        object["unique"] = .bool(unique)
        object["default"] = defaultValue ?? .null
        if kind.hasChoices { object["choices"] = .array(choices.map(\.json)) }
        if kind.refers { object["target"] = target.map { .string($0.name) } ?? .null }
        object["validation"] = validation.map(JSONValue.string) ?? .null
        object["retired"] = .bool(retired)
        if let rollup { object["rollup"] = rollup.json }
        return .object(object)
    }

    /// Reads a field as a type definition gives it; the default is checked as any value would be.
    public static func read(_ value: JSONValue, path: String, context: FieldValueContext) throws(ValidationFailure) -> FieldDefinition {
        var reader = try InputReader(value, path: path)
        let key = reader.string("key", required: true, maxLength: 40)
        if let key, !RecordTypeKey.isValid(key) {
            reader.fail("key", "must be lower-case letters, digits and _, starting with a letter (it names the field in records and CEL)")
        }
        if let key, RecordTypeKey.reserved.contains(key) { reader.fail("key", "\(key) is kept for every record; choose another key") }
        let label = reader.string("label", required: true, maxLength: 200)
        let kind: FieldKind? = reader.enumeration("kind", required: true)
        var field = FieldDefinition(key: key ?? "", label: label ?? "", kind: kind ?? .text)
        field.required = reader.bool("required") ?? false
        field.unique = reader.bool("unique") ?? false
        field.retired = reader.bool("retired") ?? false
        field.validation = reader.string("validation", maxLength: 2_000)
        if let rule = field.validation {
            do throws(ExpressionError) { _ = try FieldValidation.compile(rule) } catch { reader.fail("validation", error.description) }
        }
        if let kind, kind.hasChoices {
            field.choices = readChoices(&reader)
        } else if reader.value("choices") != nil {
            reader.fail("choices", "only a choice or multi_choice field has choices")
        }
        if let kind, kind.refers {
            if reader.object["target"] == nil {
                reader.fail("target", "a reference field needs its target: customer, user, department or record:<type key>")
            } else if let name = reader.string("target", maxLength: 60) {
                if let target = ReferenceTarget(name) { field.target = target }
                else { reader.fail("target", "must be customer, user, department or record:<type key>") }
            }
        } else if reader.value("target") != nil {
            reader.fail("target", "only a reference or reference_list field has a target")
        }
        if field.unique, [.boolean, .multiChoice, .referenceList, .longText].contains(field.kind) {
            reader.fail("unique", "a \(field.kind.rawValue) field cannot be unique")
        }
        if let raw = reader.value("rollup"), !raw.isNull, let kind {
            field.rollup = FieldRollup.read(raw, kind: kind, reader: &reader)
            if field.required || field.unique || field.validation != nil || !(reader.object["default"] ?? .null).isNull {
                reader.fail("rollup", "a computed field is not required, unique, validated or defaulted: its value comes from the records it sums up")
            }
        }
        if let raw = reader.value("default"), !raw.isNull, kind != nil {
            switch FieldValues.normalize(raw, for: field, context: context) {
            case .success(let normalized): field.defaultValue = normalized
            case .failure(let problem): reader.fail("default", "does not fit the field's kind: \(problem.description)")
            }
        }
        try reader.finish()
        return field
    }

    private static func readChoices(_ reader: inout InputReader) -> [FieldChoice] {
        guard let raw = reader.value("choices") else {
            reader.fail("choices", "is required: at least one {\"key\", \"label\"}")
            return []
        }
        guard let items = raw.arrayValue, !items.isEmpty, items.count <= maxChoices else {
            reader.fail("choices", "expected 1 to \(maxChoices) choices, each {\"key\": \"won\", \"label\": \"Won\"}")
            return []
        }
        var choices: [FieldChoice] = []
        for (index, item) in items.enumerated() {
            let path = "choices[\(index)]"
            guard let object = item.objectValue, let key = object["key"]?.stringValue, RecordTypeKey.isValid(key) else {
                reader.fail(path, "expected {\"key\": a lower-case key, \"label\": text}")
                continue
            }
            guard let label = object["label"]?.stringValue, label.hasVisibleCharacters, label.count <= 200 else {
                reader.fail("\(path).label", "is required: 1 to 200 characters")
                continue
            }
            if choices.contains(where: { $0.key == key }) {
                reader.fail("\(path).key", "\(key) is already a choice")
                continue
            }
            choices.append(FieldChoice(key: key, label: label))
        }
        return choices
    }
}

extension RecordTypeKey {
    /// Members every record has beside its fields.
    public static let reserved: Set<String> = ["id", "type", "version", "created_at", "updated_at", "deleted_at", "stage", "fields", "record"]
}
