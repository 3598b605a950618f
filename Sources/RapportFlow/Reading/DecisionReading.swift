import RapportCore

/// Reads a business rule task's own decision table (`<rapport:decisionTable>`): input columns
/// (CEL, or FEEL in the `=…` form, over the variables), output columns by name, and rules of one
/// `<rapport:when>` unary test per input and one `<rapport:then>` expression per output.
///
/// ```xml
/// <rapport:decisionTable hitPolicy="FIRST" resultVariable="risk">
///   <rapport:input label="Amount" expression="amount"/>
///   <rapport:output name="class"/>
///   <rapport:rule><rapport:when>&lt; 5000</rapport:when><rapport:then>"low"</rapport:then></rapport:rule>
/// </rapport:decisionTable>
/// ```
extension NodeReading {
    /// Nil when the task has no table of its own; `.some(nil)` after a problem.
    mutating func decisionTable() -> (table: DecisionTable, resultVariable: String)?? {
        guard let holder = extensionElement("decisionTable", namespace: BPMNNamespace.rapport) else { return nil }
        let before = problems.count
        let policyText = (holder.attribute("hitPolicy") ?? "UNIQUE").trimmingCharacters(in: .whitespaces).uppercased()
        let policy = DecisionTable.HitPolicy(rawValue: policyText.replacingOccurrences(of: "_", with: " "))
        if policy == nil {
            problem(holder.line, "the hit policy \(policyText) is not one of \(DecisionTable.HitPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let result = (holder.attribute("resultVariable") ?? "").trimmingCharacters(in: .whitespaces)
        if !ExpressionReading.isVariableName(result) {
            problem(holder.line, "a decision table needs a resultVariable: the variable its result goes in")
        }
        var inputs: [DecisionTable.Input] = []
        for (index, input) in holder.children("input", namespace: BPMNNamespace.rapport).enumerated() {
            let label = input.attribute("label") ?? "\(index + 1)"
            switch ExpressionReading.compile(input.attribute("expression") ?? "") {
            case .success(let expression): inputs.append(DecisionTable.Input(label: label, expression: expression))
            case .failure(let why): problem(input.line, "the input \(label)'s expression \(ExpressionReading.quoted(input.attribute("expression") ?? "")) \(why)")
            }
        }
        var outputs: [String] = []
        for output in holder.children("output", namespace: BPMNNamespace.rapport) {
            let name = (output.attribute("name") ?? "").trimmingCharacters(in: .whitespaces)
            if ExpressionReading.isVariableName(name), !outputs.contains(name) {
                outputs.append(name)
            } else {
                problem(output.line, "an output needs a name of its own that is a variable name, not \(ExpressionReading.quoted(name))")
            }
        }
        if outputs.isEmpty { problem(holder.line, "a decision table needs at least one <rapport:output name=\"…\"/>") }
        var rules: [DecisionTable.Rule] = []
        for (index, rule) in holder.children("rule", namespace: BPMNNamespace.rapport).enumerated() {
            let whens = rule.children("when", namespace: BPMNNamespace.rapport)
            let thens = rule.children("then", namespace: BPMNNamespace.rapport)
            guard whens.count == inputs.count, thens.count == outputs.count else {
                problem(rule.line, "rule \(index + 1) has \(whens.count) <rapport:when> and \(thens.count) <rapport:then>; "
                        + "the table has \(inputs.count) inputs and \(outputs.count) outputs")
                continue
            }
            var tests: [UnaryTest] = []
            for (column, when) in whens.enumerated() {
                switch UnaryTest.parse(when.text) {
                case .success(let test): tests.append(test)
                case .failure(let refusal):
                    problem(when.line, "rule \(index + 1), input \(inputs[column].label): \(ExpressionReading.quoted(when.text)) is not a unary test Rapport reads (\(refusal.reason))")
                }
            }
            var values: [FlowExpression] = []
            for (column, then) in thens.enumerated() {
                let text = then.text.trimmingCharacters(in: .whitespacesAndNewlines)
                switch ExpressionReading.compile(text.isEmpty ? "null" : text) {
                case .success(let expression): values.append(expression)
                case .failure(let why): problem(then.line, "rule \(index + 1), output \(outputs[column]): \(ExpressionReading.quoted(text)) \(why)")
                }
            }
            rules.append(DecisionTable.Rule(tests: tests, outputs: values, line: rule.line))
        }
        if rules.isEmpty { problem(holder.line, "a decision table needs at least one <rapport:rule>") }
        guard problems.count == before, let policy else { return .some(nil) }
        return .some((DecisionTable(hitPolicy: policy, inputs: inputs, outputs: outputs, rules: rules), result))
    }
}
