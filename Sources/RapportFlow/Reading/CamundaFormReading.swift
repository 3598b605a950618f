import RapportCore

/// Reads a Camunda form (form-js JSON, as Camunda Modeler embeds it in `<zeebe:userTaskForm>`):
/// text fields, text areas, numbers, checkboxes, selects, radios and date pickers become form
/// fields with their validation; static text, images, spacers and buttons are only shown by
/// Camunda's own renderer and are left out; anything else is refused naming it.
extension NodeReading {
    private static let decorative: Set<String> = ["text", "image", "spacer", "separator", "button", "html"]

    mutating func camundaForm(_ holder: XMLElementNode) -> TaskForm? {
        let json: JSONValue
        do {
            json = try JSONParser.parse(holder.text)
        } catch {
            problem(holder.line, "the embedded form \(holder.attribute("id") ?? "") is not JSON: \(error)")
            return nil
        }
        guard case .array(let components)? = json.objectValue?["components"] else {
            problem(holder.line, "the embedded form \(holder.attribute("id") ?? "") has no components")
            return nil
        }
        let before = problems.count
        var fields: [FormField] = []
        for component in components {
            guard let object = component.objectValue, let type = object["type"]?.stringValue else {
                problem(holder.line, "a component of the embedded form has no type")
                continue
            }
            if Self.decorative.contains(type) { continue }
            guard let kind = Self.kind(of: type, object) else {
                problem(holder.line, "the form component \(object["key"]?.stringValue ?? object["id"]?.stringValue ?? type) of type \(type) is not supported "
                        + "(text fields, text areas, numbers, checkboxes, selects, radios and dates are)")
                continue
            }
            let key = object["key"]?.stringValue ?? ""
            let validate = object["validate"]?.objectValue
            var options: [FormOption] = []
            if case .array(let values)? = object["values"] {
                options = values.compactMap { value in
                    guard let entry = value.objectValue, let optionValue = entry["value"]?.stringValue else { return nil }
                    return FormOption(value: optionValue, label: entry["label"]?.stringValue ?? optionValue)
                }
            }
            var pattern = validate?["pattern"]?.stringValue
            switch validate?["validationType"]?.stringValue {
            case "email": pattern = pattern ?? #"[^@\s]+@[^@\s]+\.[^@\s]+"#
            case "phone": pattern = pattern ?? #"\+?[0-9 ()\-]{5,}"#
            default: break
            }
            let initial = object["defaultValue"].flatMap(Self.literal)
            let field = FormField(key: key, label: object["label"]?.stringValue ?? object["dateLabel"]?.stringValue ?? key, kind: kind,
                                  required: validate?["required"]?.boolValue ?? false, options: options,
                                  minimum: validate?["min"]?.doubleValue, maximum: validate?["max"]?.doubleValue,
                                  minLength: validate?["minLength"]?.integralValue.map(Int.init),
                                  maxLength: validate?["maxLength"]?.integralValue.map(Int.init), pattern: pattern, initial: initial)
            if let field = checked(field, line: holder.line) { fields.append(field) }
        }
        guard problems.count == before else { return nil }
        return finished(fields, line: holder.line)
    }

    private static func kind(of type: String, _ component: JSONObject) -> FormField.Kind? {
        switch type {
        case "textfield": .text
        case "textarea": .textarea
        case "number": component["decimalDigits"]?.integralValue == 0 ? .integer : .number
        case "checkbox": .boolean
        case "select", "radio": .choice
        case "datetime": component["subtype"]?.stringValue == "date" ? .date : nil
        default: nil
        }
    }

    /// A default value as the expression giving it.
    private static func literal(_ value: JSONValue) -> FlowExpression? {
        switch value {
        case .string(let text): return ExpressionReading.text(text)
        case .integer, .double, .bool:
            guard let compiled = try? CompiledExpression(freeVariables: value.jsonString) else { return nil }
            return FlowExpression(source: value.jsonString, compiled: compiled)
        default: return nil
        }
    }
}
