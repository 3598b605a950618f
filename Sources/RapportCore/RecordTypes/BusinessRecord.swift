/// One record of a type defined at run time — a deal, an order, a loan application — with the
/// customer it is about (if any) and its field values in their stored form.
public struct BusinessRecord: Sendable, Equatable {
    public var id: String
    public var typeKey: String
    public var customerID: String?
    public var fields: JSONObject
    /// Its stage when the type has a pipeline, and since when it stands there.
    public var stage: String?
    public var stageEnteredAt: Timestamp?
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, typeKey: String, customerID: String?, fields: JSONObject, stage: String? = nil, stageEnteredAt: Timestamp? = nil,
                version: Int64, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.typeKey = typeKey
        self.customerID = customerID
        self.fields = fields
        self.stage = stage
        self.stageEnteredAt = stageEnteredAt
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
        object["stage"] = stage.map(JSONValue.string) ?? .null
        object["stage_entered_at"] = stageEnteredAt.map { .string($0.rfc3339) } ?? .null
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
    /// Its stage: the type's first stage when none is asked for.
    public var stage: String?

    public init(customerID: String? = nil, fields: JSONObject, stage: String? = nil) {
        self.customerID = customerID
        self.fields = fields
        self.stage = stage
    }

    public static func read(_ value: JSONValue, type: RecordType, context: FieldValueContext) throws(ValidationFailure) -> RecordDraft {
        var reader = try InputReader(value)
        let customerID = reader.object["customer_id"] == .null ? nil : reader.string("customer_id", maxLength: 64)
        _ = reader.value("customer_id")
        let raw = reader.value("fields")
        let askedStage = reader.string("stage", maxLength: 40)
        var issues: [FieldIssue] = []
        do throws(ValidationFailure) { try reader.finish() } catch { issues += error.issues }
        var stage: String?
        do throws(ValidationFailure) { stage = try type.checkedStage(askedStage, current: nil) } catch { issues += error.issues }
        let fields: JSONObject
        do throws(ValidationFailure) { fields = try RecordValues.creating(raw, type: type, context: context) } catch {
            throw ValidationFailure(issues + error.issues)
        }
        issues += FieldValidation.issues(fields, type: type)
        issues += type.missingFields(fields, inStage: stage)
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return RecordDraft(customerID: customerID, fields: fields, stage: stage)
    }
}

/// A change to a record: the fields named (null clears one) and, if given, its customer.
public struct RecordChanges: Sendable, Equatable {
    public var customerID: PatchValue<String>
    public var fields: JSONValue?
    /// A move to another stage of the pipeline.
    public var stage: String?

    public init(customerID: PatchValue<String> = .unchanged, fields: JSONValue? = nil, stage: String? = nil) {
        self.customerID = customerID
        self.fields = fields
        self.stage = stage
    }

    public static func read(_ value: JSONValue) throws(ValidationFailure) -> RecordChanges {
        var reader = try InputReader(value)
        var changes = RecordChanges()
        changes.customerID = reader.patchString("customer_id", maxLength: 64)
        changes.fields = reader.value("fields")
        changes.stage = reader.string("stage", maxLength: 40)
        if let fields = changes.fields, fields.objectValue == nil {
            reader.fail("fields", "expected an object of field key → value (null clears a field), got \(fields.typeName)")
        }
        try reader.finish()
        return changes
    }

    /// The record's values and stage after the change, checked against its type, its validations
    /// and what the stage it ends in requires.
    public func applied(to fields: JSONObject, stage: String?, type: RecordType,
                        context: FieldValueContext) throws(ValidationFailure) -> (fields: JSONObject, stage: String?) {
        let changed = try RecordValues.changing(fields, with: self.fields, type: type, context: context)
        var issues = FieldValidation.issues(changed, type: type)
        var newStage = stage
        do throws(ValidationFailure) { newStage = try type.checkedStage(self.stage, current: stage) } catch { issues += error.issues }
        issues += type.missingFields(changed, inStage: newStage)
        guard issues.isEmpty else { throw ValidationFailure(issues) }
        return (changed, newStage)
    }
}
