/// Reads the JSON form of `SubscriptionFilter`, collecting issues named by JSON path.
struct SubscriptionFilterParser {
    static let dialects = ["exact", "prefix", "suffix", "all", "any", "not", "cel"]
    static let maxDepth = 16

    let limits: ExpressionLimits
    var issues: [FieldIssue] = []

    init(limits: ExpressionLimits) {
        self.limits = limits
    }

    private mutating func fail(_ path: String, _ message: String) {
        issues.append(FieldIssue(field: path, message: message))
    }

    mutating func list(_ elements: [JSONValue], path: String, depth: Int = 0) -> [SubscriptionFilter]? {
        var filters: [SubscriptionFilter] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            if let filter = filter(element, path: "\(path)[\(index)]", depth: depth + 1) {
                filters.append(filter)
            } else {
                valid = false
            }
        }
        return valid ? filters : nil
    }

    mutating func filter(_ value: JSONValue, path: String, depth: Int) -> SubscriptionFilter? {
        guard depth <= Self.maxDepth else {
            fail(path, "filters are nested too deeply (more than \(Self.maxDepth) levels)")
            return nil
        }
        guard case .object(let object) = value else {
            fail(path, "expected a filter object, got \(value.typeName)")
            return nil
        }
        guard object.count == 1, let (dialect, body) = object.first(where: { _ in true }) else {
            let found = object.isEmpty ? "none" : object.keys.joined(separator: ", ")
            fail(path, "must contain exactly one filter dialect (\(Self.dialects.joined(separator: ", "))); found \(found)")
            return nil
        }
        let bodyPath = "\(path).\(dialect)"
        switch dialect {
        case "exact": return conditions(body, path: bodyPath, allowEmpty: true).map(SubscriptionFilter.exact)
        case "prefix": return conditions(body, path: bodyPath, allowEmpty: false).map(SubscriptionFilter.prefix)
        case "suffix": return conditions(body, path: bodyPath, allowEmpty: false).map(SubscriptionFilter.suffix)
        case "all", "any":
            guard case .array(let elements) = body else {
                fail(bodyPath, "expected an array of filters, got \(body.typeName)")
                return nil
            }
            if elements.isEmpty {
                fail(bodyPath, "must contain at least one filter")
                return nil
            }
            guard let filters = list(elements, path: bodyPath, depth: depth) else { return nil }
            return dialect == "all" ? .all(filters) : .any(filters)
        case "not":
            return filter(body, path: bodyPath, depth: depth + 1).map(SubscriptionFilter.not)
        case "cel":
            guard case .string(let source) = body else {
                fail(bodyPath, "expected a CEL expression string, got \(body.typeName)")
                return nil
            }
            do {
                return .cel(try CompiledExpression(filter: source, limits: limits))
            } catch {
                fail(bodyPath, error.description)
                return nil
            }
        default:
            let hint = ExpressionChecker.suggestion(for: dialect, among: Self.dialects).map { "; did you mean '\($0)'?" } ?? ""
            fail(path, "unknown filter dialect '\(dialect)'\(hint) (expected one of \(Self.dialects.joined(separator: ", ")))")
            return nil
        }
    }

    private mutating func conditions(_ body: JSONValue, path: String, allowEmpty: Bool) -> [AttributeCondition]? {
        guard case .object(let object) = body else {
            fail(path, "expected an object of attribute values, got \(body.typeName)")
            return nil
        }
        if object.isEmpty {
            fail(path, "must name at least one attribute")
            return nil
        }
        var conditions: [AttributeCondition] = []
        var valid = true
        for (name, value) in object {
            let field = "\(path).\(name)"
            guard let attribute = CloudEventAttribute(rawValue: name) else {
                let names = CloudEventAttribute.allCases.map(\.rawValue)
                let hint = ExpressionChecker.suggestion(for: name, among: names).map { "; did you mean '\($0)'?" } ?? ""
                fail(field, "unknown attribute\(hint) (expected one of \(names.joined(separator: ", ")))")
                valid = false
                continue
            }
            guard case .string(let text) = value else {
                fail(field, "must be a string")
                valid = false
                continue
            }
            if text.isEmpty, !allowEmpty {
                fail(field, "must not be empty")
                valid = false
                continue
            }
            conditions.append(AttributeCondition(attribute, text))
        }
        return valid ? conditions : nil
    }
}
