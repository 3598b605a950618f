import Foundation

/// A field computed from the records that refer to its record (Salesforce's roll-up summary): an
/// itinerary's first day is the earliest start of the bookings naming it, a campaign's opens are
/// how many of its results say `opened`. The store recomputes it, in the same transaction, whenever
/// one of those records is created, changed or deleted; no request may set it.
public struct FieldRollup: Sendable, Equatable {
    public enum Function: String, Sendable, CaseIterable {
        case count, sum, min, max
    }

    /// The type whose records are summed up.
    public var from: String
    /// Their reference field that names the record holding this field.
    public var via: String
    public var function: Function
    /// The field of theirs summed up (none for `count`).
    public var field: String?
    /// For `count`: only those whose `field` has this value (a choice's key, text, true/false).
    public var equals: JSONValue?
    /// Only the records for which this CEL condition over `record` holds (`record.stage != "cancelled"`).
    public var condition: String?

    public init(from: String, via: String, function: Function, field: String? = nil, equals: JSONValue? = nil, condition: String? = nil) {
        self.from = from
        self.via = via
        self.function = function
        self.field = field
        self.equals = equals
        self.condition = condition
    }

    /// Whether a record of `from` is summed up (its `when` holds).
    public func includes(_ record: BusinessRecord) -> Bool {
        guard let condition else { return true }
        guard let compiled = try? CompiledExpression(filter: condition, environment: RecordAutomation.environment) else { return false }
        return compiled.matches(VariableActivation(["record": record.json]))
    }

    public var json: JSONValue {
        var object: JSONObject = ["from": .string(from), "via": .string(via), "function": .string(function.rawValue)]
        if let field { object["field"] = .string(field) }
        if let equals { object["equals"] = equals }
        if let condition { object["when"] = .string(condition) }
        return .object(object)
    }

    /// The kinds a rolled-up field may have for each function (the source field has the same kind,
    /// except for `count`, a number, whose `field` is only a condition).
    static func allows(_ function: Function, kind: FieldKind) -> Bool {
        switch function {
        case .count: kind == .number
        case .sum: [.number, .percent, .money].contains(kind)
        case .min, .max: [.number, .percent, .money, .date, .datetime].contains(kind)
        }
    }

    /// Reads `{"from", "via", "function", "field"?, "equals"?}` for a field of `kind`.
    static func read(_ value: JSONValue, kind: FieldKind, reader: inout InputReader) -> FieldRollup? {
        guard let object = value.objectValue else {
            reader.fail("rollup", "expected {\"from\": type, \"via\": its reference field, \"function\": count|sum|min|max, \"field\": …}")
            return nil
        }
        for key in object.keys where !["from", "via", "function", "field", "equals", "when"].contains(key) { reader.fail("rollup.\(key)", "unknown field") }
        guard let from = object["from"]?.stringValue, RecordTypeKey.isValid(from) else { reader.fail("rollup.from", "must name a record type by its key"); return nil }
        guard let via = object["via"]?.stringValue, RecordTypeKey.isValid(via) else { reader.fail("rollup.via", "must name a reference field of \(from)"); return nil }
        guard let name = object["function"]?.stringValue, let function = Function(rawValue: name) else {
            reader.fail("rollup.function", "must be count, sum, min or max")
            return nil
        }
        let field = object["field"]?.stringValue
        if object["field"] != nil, !(field.map(RecordTypeKey.isValid) ?? false) { reader.fail("rollup.field", "must name a field of \(from)") }
        if function != .count, field == nil { reader.fail("rollup.field", "\(function.rawValue) needs the field of \(from) it sums up") }
        // Not `flatMap { $0.isNull ? nil : $0 }`: JSONValue is ExpressibleByNilLiteral, so that `nil` is `.null`.
        var equals: JSONValue?
        if let value = object["equals"], !value.isNull { equals = value }
        if equals != nil, function != .count || field == nil { reader.fail("rollup.equals", "only a count with a field counts those equal to a value") }
        if let equals, equals.stringValue == nil, equals != .bool(true), equals != .bool(false) {
            reader.fail("rollup.equals", "must be text or true/false")
        }
        let condition = object["when"]?.stringValue
        if let raw = object["when"], !raw.isNull, condition == nil { reader.fail("rollup.when", "must be a CEL condition over record") }
        if let condition {
            if condition.unicodeScalars.count > 2_000 { reader.fail("rollup.when", "at most 2,000 characters") }
            do throws(ExpressionError) { _ = try CompiledExpression(filter: condition, environment: RecordAutomation.environment) } catch {
                reader.fail("rollup.when", error.description)
            }
        }
        if !allows(function, kind: kind) {
            reader.fail("kind", "a field that is the \(function.rawValue) of others cannot be a \(kind.rawValue) field")
        }
        return FieldRollup(from: from, via: via, function: function, field: field, equals: equals, condition: condition)
    }

    /// A stored definition (checked when it was written).
    public static func stored(_ value: JSONValue?) -> FieldRollup? {
        guard let object = value?.objectValue, let from = object["from"]?.stringValue, let via = object["via"]?.stringValue,
              let function = object["function"]?.stringValue.flatMap(Function.init(rawValue:)) else { return nil }
        var equals: JSONValue?
        if let value = object["equals"], !value.isNull { equals = value }
        return FieldRollup(from: from, via: via, function: function, field: object["field"]?.stringValue, equals: equals,
                           condition: object["when"]?.stringValue)
    }

    /// The value from the source records' fields, in the rolled-up field's form (nil: no value —
    /// no records for min/max, or money in several currencies).
    public func compute(over records: [JSONObject], kind: FieldKind) -> JSONValue? {
        switch function {
        case .count:
            guard let field, let equals else { return .integer(Int64(records.count)) }
            return .integer(Int64(records.filter { $0[field] == equals }.count))
        case .sum, .min, .max:
            guard let field else { return nil }
            let values = records.compactMap { $0[field] }.filter { !$0.isNull }
            switch kind {
            case .money: return money(values)
            case .date:
                let texts = values.compactMap(\.stringValue).filter { CalendarDate($0) != nil }
                return (function == .min ? texts.min() : texts.max()).map(JSONValue.string)
            case .datetime:
                let times = values.compactMap { $0.stringValue.flatMap(Timestamp.init(rfc3339:)) }
                return (function == .min ? times.min() : times.max()).map { .string($0.rfc3339) }
            default:
                let numbers = values.compactMap { Decimal(json: $0) }
                guard !numbers.isEmpty || function == .sum else { return nil }
                let result: Decimal = switch function {
                case .sum: numbers.reduce(0, +)
                case .min: numbers.min()!
                default: numbers.max()!
                }
                return Self.json(result)
            }
        }
    }

    private func money(_ values: [JSONValue]) -> JSONValue? {
        var amounts: [(Decimal, String)] = []
        for value in values {
            guard let object = value.objectValue, let text = object["amount"]?.stringValue, let currency = object["currency"]?.stringValue,
                  let amount = Decimal(amount: text) else { continue }
            amounts.append((amount, currency))
        }
        let currencies = Set(amounts.map(\.1))
        guard currencies.count == 1, let currency = currencies.first else { return nil }
        let numbers = amounts.map(\.0)
        let result: Decimal = switch function {
        case .sum: numbers.reduce(0, +)
        case .min: numbers.min()!
        default: numbers.max()!
        }
        if case .success(let money) = Money.read(["amount": .string(result.plainText), "currency": .string(currency)]) {
            return money.json
        }
        return nil
    }

    static func json(_ value: Decimal) -> JSONValue {
        if value == value.rounded(toPlaces: 0), let whole = Int64(value.plainText) { return .integer(whole) }
        return .double(NSDecimalNumber(decimal: value).doubleValue)
    }
}
