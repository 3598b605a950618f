import RapportCore

/// Reads a user task's form: Rapport's `<rapport:form>` of `<rapport:field>`s, or the Camunda form
/// a `<zeebe:formDefinition formKey="camunda-forms:bpmn:…"/>` names (embedded in the file as
/// `<zeebe:userTaskForm>` JSON, as Camunda Modeler writes it). Linked forms deployed on their own
/// (`formId`) and form components Rapport cannot show are refused naming them.
extension NodeReading {
    /// Nil: no form; `.some(nil)` after a problem.
    mutating func form() -> TaskForm?? {
        if let own = extensionElement("form", namespace: BPMNNamespace.rapport) {
            return rapportForm(own)
        }
        guard let definition = extensionElement("formDefinition", namespace: BPMNNamespace.zeebe) else { return nil }
        let prefix = "camunda-forms:bpmn:"
        guard let key = definition.attribute("formKey"), key.hasPrefix(prefix) else {
            let what = definition.attribute("formId").map { "a linked form (formId \($0))" }
                ?? definition.attribute("externalReference").map { "an external form (\($0))" }
                ?? definition.attribute("formKey").map { "the form key \($0)" } ?? "a form definition naming no form"
            problem(definition.line, "\(what) is not supported: embed the form in the file (formKey=\"camunda-forms:bpmn:…\") or give a <rapport:form>")
            return .some(nil)
        }
        let formID = String(key.dropFirst(prefix.count))
        guard let embedded = roots.forms[formID] else {
            problem(definition.line, "no <zeebe:userTaskForm id=\"\(formID)\"> is in the process's extension elements")
            return .some(nil)
        }
        return camundaForm(embedded)
    }

    private mutating func rapportForm(_ form: XMLElementNode) -> TaskForm? {
        let before = problems.count
        var fields: [FormField] = []
        for element in form.children("field", namespace: BPMNNamespace.rapport) {
            let key = (element.attribute("key") ?? "").trimmingCharacters(in: .whitespaces)
            let typeText = element.attribute("type") ?? "text"
            guard let kind = FormField.Kind(rawValue: typeText) else {
                problem(element.line, "the form field \(key)'s type \(typeText) is not one of \(FormField.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            var options = element.children("option", namespace: BPMNNamespace.rapport).map {
                FormOption(value: $0.attribute("value") ?? "", label: $0.attribute("label") ?? $0.attribute("value") ?? "")
            }
            if options.isEmpty, let listed = element.attribute("options") {
                options = listed.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    .map { FormOption(value: $0, label: $0) }
            }
            var initial: FlowExpression?
            if let source = element.attribute("value") {
                switch ExpressionReading.compile(source) {
                case .success(let compiled): initial = compiled
                case .failure(let why): problem(element.line, "the form field \(key)'s value \(ExpressionReading.quoted(source)) \(why)")
                }
            }
            let field = FormField(key: key, label: element.attribute("label") ?? key, kind: kind, required: element.attribute("required") == "true",
                                  options: options, minimum: number(element, "min"), maximum: number(element, "max"),
                                  minLength: number(element, "minLength").flatMap { Int(exactly: $0) },
                                  maxLength: number(element, "maxLength").flatMap { Int(exactly: $0) },
                                  pattern: element.attribute("pattern"), initial: initial)
            if let field = checked(field, line: element.line) { fields.append(field) }
        }
        guard problems.count == before else { return nil }
        return finished(fields, line: form.line)
    }

    private mutating func number(_ element: XMLElementNode, _ name: String) -> Double? {
        guard let text = element.attribute(name) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            problem(element.line, "\(name) must be a number, not \(ExpressionReading.quoted(text))")
            return nil
        }
        return value
    }

    /// The field, or nil after a problem with how it is defined.
    mutating func checked(_ field: FormField, line: Int) -> FormField? {
        let key = field.key
        guard ExpressionReading.isVariableName(key) else {
            problem(line, "the form field's key \(ExpressionReading.quoted(key)) is not a variable name")
            return nil
        }
        if field.kind == .choice, field.options.isEmpty {
            problem(line, "the choice field \(key) needs options to choose from")
            return nil
        }
        if field.kind != .choice, !field.options.isEmpty {
            problem(line, "the \(field.kind.rawValue) field \(key) takes no options (a choice field does)")
            return nil
        }
        if let pattern = field.pattern, !FormPattern.compiles(pattern) {
            problem(line, "the form field \(key)'s pattern \(ExpressionReading.quoted(pattern)) is not a regular expression")
            return nil
        }
        if let minimum = field.minimum, let maximum = field.maximum, minimum > maximum {
            problem(line, "the form field \(key)'s min is above its max")
            return nil
        }
        return field
    }

    /// The form, unless two fields set the same variable.
    mutating func finished(_ fields: [FormField], line: Int) -> TaskForm? {
        var seen: Set<String> = []
        for field in fields where !seen.insert(field.key).inserted {
            problem(line, "two fields of the form set \(field.key)")
            return nil
        }
        return TaskForm(fields: fields)
    }
}
