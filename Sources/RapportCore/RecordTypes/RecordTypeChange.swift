import Foundation

/// What changing a record type's definition does to the records already stored. Fields are kept by
/// key: a field left out of the new definition is retired, not dropped (its values stay, for
/// history); a field's kind, choices or target may change only where every stored value converts;
/// a field made required, or a new required field, needs its default for records without a value.
public enum RecordTypeChange {
    /// A field whose stored values must be rewritten (or checked) for the new definition.
    public struct Conversion: Sendable, Equatable {
        public var from: FieldDefinition?
        public var to: FieldDefinition

        public init(from: FieldDefinition?, to: FieldDefinition) {
            self.from = from
            self.to = to
        }

        /// Only the values' presence matters (a field newly required).
        public var fillsOnly: Bool { from.map { $0.kind == to.kind && $0.choices == to.choices && $0.target == to.target } ?? true }
    }

    /// The type the draft makes of `current`, and the fields whose stored values the store must
    /// convert or check before it commits the change.
    public static func apply(_ draft: RecordTypeDraft, to current: RecordType, at now: Timestamp) throws(ValidationFailure) -> (RecordType, [Conversion]) {
        var issues: [FieldIssue] = []
        if draft.key != current.key { issues.append(FieldIssue(field: "key", message: "a record type's key does not change (it is \(current.key))")) }
        var fields: [FieldDefinition] = []
        var conversions: [Conversion] = []
        for (index, wanted) in draft.fields.enumerated() {
            guard let before = current.field(wanted.key) else {
                if wanted.required, wanted.defaultValue == nil, !wanted.retired {
                    issues.append(FieldIssue(field: "fields[\(index)].default",
                                             message: "a new required field needs a default: the records stored already take it"))
                }
                if wanted.required || wanted.unique { conversions.append(Conversion(from: nil, to: wanted)) }
                fields.append(wanted)
                continue
            }
            let valuesChange = before.kind != wanted.kind || before.choices != wanted.choices || before.target != wanted.target
            let newlyRequired = wanted.required && !before.required
            if (valuesChange || newlyRequired || (wanted.unique && !before.unique)) && !wanted.retired {
                conversions.append(Conversion(from: before, to: wanted))
            }
            fields.append(wanted)
        }
        // Left out: retired, with what they hold.
        for before in current.fields where !draft.fields.contains(where: { $0.key == before.key }) {
            var retired = before
            retired.retired = true
            retired.required = false
            retired.unique = false
            fields.append(retired)
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        var type = current
        type.label = draft.label
        type.pluralLabel = draft.pluralLabel
        type.description = draft.description
        type.fields = fields
        type.stages = draft.stages
        type.automations = draft.automations
        type.version += 1
        type.updatedAt = now
        return (type, conversions)
    }

    /// A stored value in the form of the field's new definition; nil when it does not convert
    /// (the change is refused, naming the records that hold such values).
    public static func convert(_ value: JSONValue, from: FieldDefinition, to: FieldDefinition, context: FieldValueContext) -> JSONValue? {
        if from.kind == to.kind, from.target == to.target || !from.kind.refers {
            return try? FieldValues.normalize(value, for: to, context: context).get()
        }
        let candidate: JSONValue?
        switch to.kind {
        case .text, .longText:
            candidate = text(of: value, kind: from.kind).map(JSONValue.string)
        case .number, .percent:
            switch from.kind {
            case .number, .percent: candidate = value
            case .text: candidate = value.stringValue.flatMap { Int64($0).map(JSONValue.integer) ?? Double($0).map(JSONValue.double) }
            default: candidate = nil
            }
        case .date:
            switch from.kind {
            case .datetime:
                // Only an instant at midnight UTC is a date without losing its time.
                candidate = value.stringValue.flatMap { text in text.hasSuffix("T00:00:00.000Z") ? .string(String(text.prefix(10))) : nil }
            case .text: candidate = value
            default: candidate = nil
            }
        case .datetime:
            switch from.kind {
            case .date: candidate = value.stringValue.map { .string($0 + "T00:00:00.000Z") }
            case .text: candidate = value
            default: candidate = nil
            }
        case .boolean:
            candidate = from.kind == .text ? (value.stringValue == "true" ? .bool(true) : value.stringValue == "false" ? .bool(false) : nil) : nil
        case .choice:
            switch from.kind {
            case .text: candidate = value
            case .multiChoice: candidate = value.arrayValue.flatMap { $0.count == 1 ? $0[0] : nil }
            default: candidate = nil
            }
        case .multiChoice:
            switch from.kind {
            case .text, .choice: candidate = .array([value])
            default: candidate = nil
            }
        case .email, .phone, .url:
            candidate = from.kind == .text ? value : nil
        case .reference:
            candidate = from.kind == .referenceList && from.target == to.target ? value.arrayValue.flatMap { $0.count == 1 ? $0[0] : nil } : nil
        case .referenceList:
            candidate = from.kind == .reference && from.target == to.target ? .array([value]) : nil
        case .money:
            candidate = nil
        }
        guard let candidate else { return nil }
        return try? FieldValues.normalize(candidate, for: to, context: context).get()
    }

    /// How a value reads as text, for a field becoming text.
    private static func text(of value: JSONValue, kind: FieldKind) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items): return items.compactMap(\.stringValue).joined(separator: ", ")
        case .object(let object) where kind == .money:
            guard let amount = object["amount"]?.stringValue, let currency = object["currency"]?.stringValue else { return nil }
            return "\(amount) \(currency)"
        default: return nil
        }
    }
}
