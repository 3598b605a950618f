/// The columns a file of one record type's records may have, as its export writes them: `id` (an
/// existing record to change), `customer_id`, `stage`, one column per field (`<key>.amount` and
/// `<key>.currency` for money; lists with `;` between items), and `customer_email` or
/// `customer_phone` to find the record's customer by an identity instead of its id.
///
/// CSV cells are text; each is read as its field's kind (numbers, `true`/`false`/`yes`/`no`/`1`/`0`
/// for booleans, lists split at `;`). Empty cells say nothing.
public struct RecordImportLayout: ImportLayout {
    public let type: RecordType
    static let recordColumns: Set<String> = ["id", "customer_id", "customer_email", "customer_phone", "stage"]
    /// What an export writes that an import does not set.
    static let readOnly: Set<String> = ["type", "version", "created_at", "updated_at", "stage_entered_at"]

    public init(type: RecordType) {
        self.type = type
    }

    /// Fields a file may set: the live ones that are not computed.
    func settable(_ key: String) -> FieldDefinition? {
        guard let field = type.field(key), !field.retired, field.rollup == nil else { return nil }
        return field
    }

    public var targets: [String] {
        Self.recordColumns.sorted() + type.liveFields.filter { $0.rollup == nil }.flatMap {
            $0.kind == .money ? ["\($0.key).amount", "\($0.key).currency"] : [$0.key]
        }
    }

    public func isTarget(_ name: String) -> Bool {
        if Self.recordColumns.contains(name) { return true }
        if let field = settable(name) { return field.kind != .money }
        for part in [".amount", ".currency"] where name.hasSuffix(part) {
            return settable(String(name.dropLast(part.count)))?.kind == .money
        }
        return false
    }

    public func row(_ number: Int64, cells: [String], columns: [String], mapping: ImportMapping) -> ImportRow {
        var row = ImportRow(number: number)
        var fields = JSONObject()
        var money: [String: JSONObject] = [:]
        for (index, cell) in cells.enumerated() where index < columns.count {
            let text = Self.text(ofCell: cell)
            guard !text.isEmpty, let target = mapping.target(of: columns[index], isTarget: isTarget) else { continue }
            let column = columns[index]
            if Self.recordColumns.contains(target) {
                row.body[target] = .string(text)
                row.sources[target] = column
            } else if let field = settable(target) {
                switch Self.value(text, for: field) {
                case .success(let value): fields[field.key] = value
                case .failure(let problem): row.issues.append(ImportRowIssue(row: number, column: column, reason: "fields.\(field.key): \(problem)"))
                }
                row.sources["fields.\(field.key)"] = column
            } else if let dot = target.lastIndex(of: ".") {
                let key = String(target[..<dot]), part = String(target[target.index(after: dot)...])
                money[key, default: JSONObject()][part] = .string(part == "currency" ? text.uppercased() : text)
                row.sources["fields.\(key)"] = row.sources["fields.\(key)"] ?? column
            }
        }
        for (key, value) in money { fields[key] = .object(value) }
        if !fields.isEmpty { row.body["fields"] = .object(fields) }
        return row
    }

    public func row(_ number: Int64, object: JSONObject, mapping: ImportMapping) -> ImportRow {
        var (body, sources) = renamed(object, mapping: mapping)
        for key in Self.readOnly { body[key] = nil }
        if let fields = body["fields"]?.objectValue {
            let source = sources["fields"] ?? "fields"
            for (key, _) in fields { sources["fields.\(key)"] = "\(source).\(key)" }
        }
        return ImportRow(number: number, body: body, sources: sources)
    }

    /// A cell's text as a value of the field's kind.
    public static func value(_ text: String, for field: FieldDefinition) -> Result<JSONValue, FieldProblem> {
        switch field.kind {
        case .number, .percent:
            if let integer = Int64(text) { return .success(.integer(integer)) }
            if let number = Double(text), number.isFinite { return .success(.double(number)) }
            return .failure("expected a number, got \"\(text.prefix(40))\"")
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .success(.bool(true))
            case "false", "no", "0": return .success(.bool(false))
            default: return .failure("expected true or false, got \"\(text.prefix(40))\"")
            }
        case .multiChoice, .referenceList:
            return .success(.array(listItems(text).map(JSONValue.string)))
        default:
            return .success(.string(text))
        }
    }
}

/// A record row read and checked: the record to change (by `id`) or the draft of a new one, and
/// the identity that finds its customer when the file names one instead of a customer id.
public struct RecordImportRow: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case create(RecordDraft)
        case change(id: String, RecordChanges)
    }

    public var row: ImportRow
    public var action: Action
    public var customerIdentity: Identity?

    /// The row checked as the API checks a create (or, with an `id`, a change); problems named by column.
    public static func read(_ row: ImportRow, type: RecordType, context: FieldValueContext) -> CheckedRow<RecordImportRow> {
        guard row.issues.isEmpty else { return .refused(row.issues) }
        var body = row.body
        var identity: Identity?
        var issues: [ImportRowIssue] = []
        for (key, kind) in [("customer_email", IdentityKind.email), ("customer_phone", .phone)] {
            guard let raw = body.removeValue(forKey: key) else { continue }
            guard let text = raw.stringValue else {
                issues.append(row.issue(field: key, "\(key): expected text, got \(raw.typeName)"))
                continue
            }
            if body["customer_id"] != nil || identity != nil {
                issues.append(row.issue(field: key, "\(key): give one of customer_id, customer_email and customer_phone"))
                continue
            }
            do throws(IdentityError) { identity = try context.normalizer.normalize(kind, text) } catch {
                issues.append(row.issue(field: key, "\(key): \(error.message)"))
            }
        }
        let id = body.removeValue(forKey: "id")
        guard issues.isEmpty else { return .refused(issues) }
        do throws(ValidationFailure) {
            if let id {
                guard let text = id.stringValue, text.hasPrefix("rec_") else {
                    return .refused([row.issue(field: "id", "id: expected the id of a record (rec_…)")])
                }
                return .ready(RecordImportRow(row: row, action: .change(id: text, try RecordChanges.read(.object(body))),
                                                customerIdentity: identity))
            }
            return .ready(RecordImportRow(row: row, action: .create(try RecordDraft.read(.object(body), type: type, context: context)),
                                            customerIdentity: identity))
        } catch {
            return .refused(row.issues(of: error))
        }
    }
}
