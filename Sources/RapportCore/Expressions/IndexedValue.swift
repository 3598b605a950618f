/// A scalar JSON value in a form whose equality is CEL's `==` (and, for strings, the `exact`
/// dialect's): two scalars are equal under CEL exactly when their indexed values are equal.
///
/// Strings, bools and null compare as themselves. Numbers compare by value across int and double,
/// so a double that holds a whole number representable as an `Int64` becomes that integer (`1.0`
/// and `1` meet, `-0.0` and `0` too); any other double stays a double. NaN equals nothing, and
/// lists and maps are not scalars: neither has an indexed value.
enum IndexedValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)

    /// The indexed form of `value`, or nil for NaN, lists and maps.
    init?(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = .integer(number)
        case .double(let number):
            if number.isNaN { return nil }
            if let whole = Int64(exactly: number) {
                self = .integer(whole)
            } else {
                self = .double(number)
            }
        case .string(let text): self = .string(text)
        case .array, .object: return nil
        }
    }
}

/// Where an indexed value is read on an event: a root variable of the CEL event environment
/// (`data`, `subject`, `source`) and the field names selected below it.
struct ValuePath: Hashable, Sendable {
    var root: String
    var keys: [String]

    /// The value at the path on `event`, read as the CEL evaluator reads `root.k1.k2…`; nil when a
    /// step is missing or not a map (where the evaluator would produce an error).
    func value(in event: Event) -> JSONValue? {
        guard var value = EventActivation(event).value(ofVariable: 0, named: root) else { return nil }
        for key in keys {
            guard case .object(let object) = value, let next = object[key] else { return nil }
            value = next
        }
        return value
    }
}
