/// The CEL rule a field's values keep (`validation`): `value` is the field's value, `record` the
/// record's fields (`value > 0`, `value <= record.budget.amount`, `value.endsWith("@example.com")`).
/// A rule is compiled when the type is defined, so a record never meets a rule that cannot run.
public enum FieldValidation {
    public static let environment = ExpressionEnvironment([
        ExpressionEnvironment.Variable("value", .dyn),
        ExpressionEnvironment.Variable("record", .map(.dyn)),
    ])

    /// The compiled rule, or why it cannot be one.
    public static func compile(_ source: String) throws(ExpressionError) -> CompiledExpression {
        try CompiledExpression(filter: source, environment: environment)
    }

    /// Every field whose value does not meet its rule (a rule that errs is not met).
    public static func issues(_ fields: JSONObject, type: RecordType) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        for field in type.liveFields {
            guard let source = field.validation, let value = fields[field.key], !value.isNull,
                  let rule = try? compile(source) else { continue }
            let activation = VariableActivation(["value": value, "record": .object(fields)])
            if !rule.matches(activation) {
                issues.append(FieldIssue(field: "fields.\(field.key)", message: "does not meet the field's rule: \(source)"))
            }
        }
        return issues
    }
}
