/// A record's field values checked against its type: unknown and retired fields refused, each
/// value in its field's form, defaults filled in on create, required fields present. Every bad
/// field is named (`fields.<key>`), not just the first.
public enum RecordValues {
    /// The values of a new record from `fields` (an object of key → value).
    public static func creating(_ fields: JSONValue?, type: RecordType, context: FieldValueContext) throws(ValidationFailure) -> JSONObject {
        var issues: [FieldIssue] = []
        var values = read(fields, type: type, context: context, issues: &issues)
        for field in type.liveFields where (values[field.key] ?? .null).isNull {
            if let value = field.defaultValue, !value.isNull {
                values[field.key] = value
            } else if field.required {
                issues.append(FieldIssue(field: "fields.\(field.key)", message: "is required"))
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return dropNulls(values)
    }

    /// `current` with the changes in `fields` (null clears a field that is not required).
    public static func changing(_ current: JSONObject, with fields: JSONValue?, type: RecordType,
                                context: FieldValueContext) throws(ValidationFailure) -> JSONObject {
        var issues: [FieldIssue] = []
        let changes = read(fields, type: type, context: context, issues: &issues)
        var values = current
        for (key, value) in changes {
            if value.isNull, type.field(key)?.required == true {
                issues.append(FieldIssue(field: "fields.\(key)", message: "is required: it cannot be cleared"))
            }
            values[key] = value
        }
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return dropNulls(values)
    }

    private static func read(_ fields: JSONValue?, type: RecordType, context: FieldValueContext, issues: inout [FieldIssue]) -> JSONObject {
        var values = JSONObject()
        guard let fields, !fields.isNull else { return values }
        guard let object = fields.objectValue else {
            issues.append(FieldIssue(field: "fields", message: "expected an object of field key → value, got \(fields.typeName)"))
            return values
        }
        for (key, value) in object {
            let path = "fields.\(key)"
            guard let field = type.field(key) else {
                issues.append(FieldIssue(field: path, message: "is not a field of \(type.key)"))
                continue
            }
            if let rollup = field.rollup {
                issues.append(FieldIssue(field: path, message: "is computed (the \(rollup.function.rawValue) of the \(rollup.from) records naming this one): it cannot be set"))
                continue
            }
            guard !field.retired else {
                issues.append(FieldIssue(field: path, message: "is retired: it keeps what it has and takes nothing new"))
                continue
            }
            if value.isNull {
                values[key] = .null
                continue
            }
            switch FieldValues.normalize(value, for: field, context: context) {
            case .success(let normalized): values[key] = normalized
            case .failure(let problem): issues.append(FieldIssue(field: path, message: problem.description))
            }
        }
        return values
    }

    private static func dropNulls(_ values: JSONObject) -> JSONObject {
        JSONObject(values.filter { !$0.value.isNull }.map { ($0.key, $0.value) })
    }
}
