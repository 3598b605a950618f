/// One record of a type defined at run time — a deal, an order, a loan application — with the
/// customer it is about (if any) and its field values in their stored form.
public struct BusinessRecord: Sendable, Equatable {
    public var id: String
    public var typeKey: String
    public var customerID: String?
    public var fields: JSONObject
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, typeKey: String, customerID: String?, fields: JSONObject, version: Int64,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.typeKey = typeKey
        self.customerID = customerID
        self.fields = fields
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["type"] = .string(typeKey)
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["fields"] = .object(fields)
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }

    public var etag: String { "\"\(id)-v\(version)\"" }
}

/// A new record as a request gives it: `{"customer_id": "cus_…", "fields": {…}}`, its values
/// checked against the type (`RecordValues.creating`) and its fields' validations.
public struct RecordDraft: Sendable, Equatable {
    public var customerID: String?
    public var fields: JSONObject

    public init(customerID: String? = nil, fields: JSONObject) {
        self.customerID = customerID
        self.fields = fields
    }

    public static func read(_ value: JSONValue, type: RecordType, context: FieldValueContext) throws(ValidationFailure) -> RecordDraft {
        var reader = try InputReader(value)
        let customerID = reader.object["customer_id"] == .null ? nil : reader.string("customer_id", maxLength: 64)
        _ = reader.value("customer_id")
        let raw = reader.value("fields")
        var issues: [FieldIssue] = []
        do throws(ValidationFailure) { try reader.finish() } catch { issues += error.issues }
        let fields: JSONObject
        do throws(ValidationFailure) { fields = try RecordValues.creating(raw, type: type, context: context) } catch {
            throw ValidationFailure(issues + error.issues)
        }
        issues += FieldValidation.issues(fields, type: type)
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return RecordDraft(customerID: customerID, fields: fields)
    }
}

/// A change to a record: the fields named (null clears one) and, if given, its customer.
public struct RecordChanges: Sendable, Equatable {
    public var customerID: PatchValue<String>
    public var fields: JSONValue?

    public init(customerID: PatchValue<String> = .unchanged, fields: JSONValue? = nil) {
        self.customerID = customerID
        self.fields = fields
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> RecordChanges {
        var reader = try InputReader(value)
        var changes = RecordChanges()
        changes.customerID = reader.patchString("customer_id", maxLength: 64)
        changes.fields = reader.value("fields")
        if let fields = changes.fields, fields.objectValue == nil {
            reader.fail("fields", "expected an object of field key → value (null clears a field), got \(fields.typeName)")
        }
        try reader.finish()
        return changes
    }

    /// The record's values after the change, checked against its type and its validations.
    public func applied(to fields: JSONObject, type: RecordType, context: FieldValueContext) throws(ValidationFailure) -> JSONObject {
        let changed = try RecordValues.changing(fields, with: self.fields, type: type, context: context)
        let issues = FieldValidation.issues(changed, type: type)
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return changed
    }
}
