/// A conjunct that holds exactly when the value at `path` equals one of `values`: CEL
/// `data.a.b == "x"`, `"x" == subject`, `data.a.b in ["x", 2, true]`, and the `exact` dialect on
/// `subject` or `source`.
///
/// "Exactly" is what lets `SubscriptionIndex` look filters up by the event's value: the conjunct
/// is true for an event if and only if `path.value(in:)` yields a value whose `IndexedValue` is in
/// `values`. Comparisons whose constant is not a scalar (lists, maps) or is NaN get no key.
struct ValueKey: Sendable, Equatable {
    var path: ValuePath
    var values: Set<IndexedValue>

    /// The key of `conjunct`, or nil when it is not such an equality.
    static func of(_ conjunct: FilterConjunct) -> ValueKey? {
        switch conjunct {
        case .filter(.exact(let conditions)) where conditions.count == 1:
            // `exact` compares strings with `==`, as `IndexedValue.string` does.
            let condition = conditions[0]
            switch condition.attribute {
            case .subject: return ValueKey(path: ValuePath(root: "subject", keys: []), values: [.string(condition.value)])
            case .source: return ValueKey(path: ValuePath(root: "source", keys: []), values: [.string(condition.value)])
            default: return nil
            }
        case .filter:
            return nil
        case .cel(let instruction, _):
            return of(instruction)
        }
    }

    private static func of(_ instruction: ExpressionInstruction) -> ValueKey? {
        switch instruction {
        case .equal(let left, let right, negated: false):
            if let path = path(left), case .constant(let constant) = right, let value = IndexedValue(constant) {
                return ValueKey(path: path, values: [value])
            }
            if let path = path(right), case .constant(let constant) = left, let value = IndexedValue(constant) {
                return ValueKey(path: path, values: [value])
            }
            return nil
        case .membership(let element, in: .constant(.array(let elements))):
            guard let path = path(element) else { return nil }
            var values: Set<IndexedValue> = []
            for element in elements {
                // A list element or map could equal a list or map at the path: no key then.
                guard let value = IndexedValue(element) else {
                    if case .double(let number) = element, number.isNaN { continue }
                    return nil
                }
                values.insert(value)
            }
            return ValueKey(path: path, values: values)
        default:
            return nil
        }
    }

    /// The path of `data.k1.k2…`, `subject` or `source` (any root variable and selected fields).
    private static func path(_ instruction: ExpressionInstruction) -> ValuePath? {
        switch instruction {
        case .variable(_, let name):
            return ValuePath(root: name, keys: [])
        case .select(.variable(_, let name), let keys):
            return ValuePath(root: name, keys: keys)
        default:
            return nil
        }
    }
}
