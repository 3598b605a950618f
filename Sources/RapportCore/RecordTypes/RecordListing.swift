/// What a list of a type's records may be filtered and sorted by: `id`, `customer_id`,
/// `created_at`, `updated_at` and every field (`fields.<key>`; money by `.amount` and `.currency`).
extension RecordType {
    public var filterSchema: ListFilterSchema {
        var schema = ListFilterSchema()
        schema.paths["id"] = FilterablePath(column: "id", kind: .text)
        schema.paths["customer_id"] = FilterablePath(column: "customer_id", kind: .text)
        schema.paths["created_at"] = FilterablePath(column: "created_at", kind: .timeColumn)
        schema.paths["updated_at"] = FilterablePath(column: "updated_at", kind: .timeColumn)
        if !stages.isEmpty {
            schema.paths["stage"] = FilterablePath(column: "stage", kind: .text)
            schema.paths["stage_entered_at"] = FilterablePath(column: "stage_entered_at", kind: .timeColumn)
        }
        for field in fields {
            let name = "fields.\(field.key)"
            if field.kind == .money {
                schema.paths["\(name).amount"] = FilterablePath(column: "fields", members: [field.key, "amount"], kind: .number)
                schema.paths["\(name).currency"] = FilterablePath(column: "fields", members: [field.key, "currency"], kind: .text)
                schema.paths[name] = FilterablePath(column: "fields", members: [field.key], kind: .document)
                schema.hints[name] = "\(name) is an amount of money: compare \(name).amount or \(name).currency"
            } else {
                schema.paths[name] = FilterablePath(column: "fields", members: [field.key], kind: field.kind.filterKind)
            }
        }
        schema.hints["fields"] = "name one field, like fields.\(fields.first?.key ?? "status")"
        return schema
    }

    /// The order of a list: `created_at`, `updated_at` or a field key, `-` first for descending.
    public func sort(_ text: String) -> RecordSort? {
        let descending = text.hasPrefix("-")
        let key = descending ? String(text.dropFirst()) : text
        switch key {
        case "created_at", "updated_at":
            return RecordSort(key: key, path: FilterablePath(column: key, kind: .timeColumn), descending: descending)
        default:
            guard let field = field(key), field.kind != .multiChoice, field.kind != .referenceList else { return nil }
            let path = field.kind == .money
                ? FilterablePath(column: "fields", members: [key, "amount"], kind: .number)
                : FilterablePath(column: "fields", members: [key], kind: field.kind.filterKind)
            return RecordSort(key: key, path: path, descending: descending)
        }
    }
}

/// A list's order: the path, the direction; records without a value come last either way, and
/// the record id breaks ties.
public struct RecordSort: Sendable, Equatable {
    public var key: String
    public var path: FilterablePath
    public var descending: Bool

    public init(key: String, path: FilterablePath, descending: Bool) {
        self.key = key
        self.path = path
        self.descending = descending
    }

    public static let newestFirst = RecordSort(key: "created_at", path: FilterablePath(column: "created_at", kind: .timeColumn), descending: true)

    /// The query parameter that asks for this order.
    public var parameter: String { (descending ? "-" : "") + key }
}

extension FieldKind {
    /// How a filter compares the field's stored values.
    public var filterKind: FilterValueKind {
        switch self {
        case .text, .longText, .choice, .email, .phone, .url, .reference: .text
        case .date: .dateText
        case .datetime: .instantText
        case .number, .percent, .money: .number
        case .boolean: .boolean
        case .multiChoice, .referenceList: .textList
        }
    }
}
