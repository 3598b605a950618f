/// A saved filter over customers (HubSpot's active lists, Salesforce's segments): marketing
/// names who it means once, and Rapport keeps the members current as customers change —
/// `rapport.segment.entered` and `rapport.segment.left` say who came and went, and the count is
/// always the members'.
public struct Segment: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    /// CEL over the customer (`lifecycle_stage == "lead" && attributes.interest == "solar"`).
    public var filter: String
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, name: String, description: String?, filter: String, version: Int64, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.description = description
        self.filter = filter
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What a segment's filter may name: the customer's columns, any of its attributes, and its
    /// records of these types (`records.deal.exists(d, d.stage == "won")`).
    public static func schema(recordTypes: [RecordType]) -> ListFilterSchema { CustomerFilter.schema(recordTypes: recordTypes) }

    /// The filter as the database evaluates it (it compiled when the segment was saved; nil when a
    /// record type it asks about is gone — then it selects no one).
    public func condition(recordTypes: [RecordType]) -> ListCondition? {
        try? ListFilter.translate(filter, schema: Self.schema(recordTypes: recordTypes))
    }

    public func json(count: Int?) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["name"] = .string(name)
        object["description"] = description.map(JSONValue.string) ?? .null
        object["filter"] = .string(filter)
        if let count { object["count"] = .integer(Int64(count)) }
        object["version"] = .integer(version)
        object["created_at"] = .string(createdAt.rfc3339)
        object["updated_at"] = .string(updatedAt.rfc3339)
        return .object(object)
    }

    public var etag: String { "\"\(id)-v\(version)\"" }
}

/// A segment as a request gives it: `{"name", "description"?, "filter"}`, the filter compiled.
public struct SegmentDraft: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var filter: String
    public var condition: ListCondition

    public static let maxFilterLength = 4_000

    /// The body, its filter compiled against the customers and their records of `recordTypes`.
    public static func read(_ value: JSONValue, recordTypes: [RecordType] = []) throws(ValidationFailure) -> SegmentDraft {
        var reader = try InputReader(value)
        let name = reader.string("name", required: true, maxLength: 200)
        if let name, !name.hasVisibleCharacters || name.containsControlCharacters {
            reader.fail("name", "must have a visible character and no control characters")
        }
        // null is no description, as leaving it out is.
        var description: String?
        if case .set(let text) = reader.patchString("description", maxLength: 2_000) { description = text }
        if let description, description.containsControlCharacters { reader.fail("description", "must not hold control characters") }
        let filter = reader.string("filter", required: true, maxLength: maxFilterLength)
        var condition: ListCondition?
        if let filter {
            do throws(ExpressionError) { condition = try ListFilter.translate(filter, schema: Segment.schema(recordTypes: recordTypes)) } catch {
                reader.fail("filter", error.description)
            }
        }
        try reader.finish()
        guard let name, let filter, let condition else { throw ValidationFailure(field: "filter", message: "is required") }
        return SegmentDraft(name: name, description: description, filter: filter, condition: condition)
    }
}
