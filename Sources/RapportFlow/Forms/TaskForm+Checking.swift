import RapportCore

/// What is wrong with one field of a submitted form.
public struct FormProblem: Error, Sendable, Equatable {
    /// The field's key.
    public let field: String
    public let message: String
}

/// Why a submitted form is refused: a problem for each field that is wrong.
public struct FormRefusal: Error, Sendable, Equatable {
    public let problems: [FormProblem]
}

extension TaskForm {
    /// The variables a submission sets, or what is wrong with it, field by field: an unknown key, a
    /// required field missing or blank, a value of the wrong type, out of bounds, not matching its
    /// pattern or not one of the options. Null is the same as absent; whole numbers in a whole
    /// number field come back as integers.
    public func check(_ submitted: [String: JSONValue]) -> Result<[String: JSONValue], FormRefusal> {
        var problems: [FormProblem] = []
        for key in submitted.keys.sorted() where field(key) == nil {
            problems.append(FormProblem(field: key, message: "the form has no field \(key)"))
        }
        var accepted: [String: JSONValue] = [:]
        for field in fields {
            let value = submitted[field.key] ?? .null
            if value == .null {
                if field.required { problems.append(FormProblem(field: field.key, message: "\(field.label) is required")) }
                continue
            }
            switch field.check(value) {
            case .success(let checked): accepted[field.key] = checked
            case .failure(let problem): problems.append(problem)
            }
        }
        return problems.isEmpty ? .success(accepted) : .failure(FormRefusal(problems: problems))
    }

    /// What each field shows first: its initial expression over the task's variables (one that fails
    /// or gives a value of the wrong type shows nothing), else the variable of its key when it holds
    /// a value the field takes.
    public func initialValues(_ variables: [String: JSONValue]) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for field in fields {
            let candidate: JSONValue?
            if let initial = field.initial {
                candidate = try? initial.evaluate(variables).get()
            } else {
                candidate = variables[field.key]
            }
            if let candidate, candidate != .null, case .success(let value) = field.check(candidate) { values[field.key] = value }
        }
        return values
    }
}

extension FormField {
    /// The value as the field takes it, or why not.
    func check(_ value: JSONValue) -> Result<JSONValue, FormProblem> {
        func refuse(_ message: String) -> Result<JSONValue, FormProblem> { .failure(FormProblem(field: key, message: message)) }
        switch kind {
        case .text, .textarea:
            guard case .string(let text) = value else { return refuse("\(label) must be text") }
            if required, text.allSatisfy(\.isWhitespace) { return refuse("\(label) is required") }
            if let minLength, text.count < minLength { return refuse("\(label) must be at least \(minLength) characters long") }
            if let maxLength, text.count > maxLength { return refuse("\(label) must be at most \(maxLength) characters long") }
            if let pattern, !text.isEmpty, !FormPattern.matches(pattern, text) { return refuse("\(label) must match the pattern \(pattern)") }
            return .success(value)
        case .number, .integer:
            let number: Double
            switch value {
            case .integer(let whole): number = Double(whole)
            case .double(let real): number = real
            default: return refuse("\(label) must be a number")
            }
            guard number.isFinite else { return refuse("\(label) must be a number") }
            if let minimum, number < minimum { return refuse("\(label) must be at least \(FormPattern.text(minimum))") }
            if let maximum, number > maximum { return refuse("\(label) must be at most \(FormPattern.text(maximum))") }
            guard kind == .integer else { return .success(value) }
            guard let whole = value.integralValue else { return refuse("\(label) must be a whole number") }
            return .success(JSONValue.integer(whole))
        case .boolean:
            guard case .bool = value else { return refuse("\(label) must be true or false") }
            return .success(value)
        case .date:
            guard case .string(let text) = value, FormPattern.isDate(text) else { return refuse("\(label) must be a date, YYYY-MM-DD") }
            return .success(value)
        case .choice:
            guard case .string(let text) = value, options.contains(where: { $0.value == text }) else {
                return refuse("\(label) must be one of \(options.map(\.value).joined(separator: ", "))")
            }
            return .success(value)
        }
    }
}

/// Patterns, dates and numbers as forms read and write them.
enum FormPattern {
    /// Whether the whole text matches the regular expression (false when it does not compile).
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: text)) != nil
    }

    static func compiles(_ pattern: String) -> Bool {
        (try? Regex(pattern)) != nil
    }

    /// A calendar date written `YYYY-MM-DD` that exists (29 February only in leap years).
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// A bound as people write it: 5000, not 5000.0.
    static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
