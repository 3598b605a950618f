/// Which customers a list returns. All given conditions must hold.
public struct CustomerFilter: Sendable, Equatable {
    /// Only the customer holding this identity.
    public var identity: Identity?
    /// Names starting with this text, compared without case.
    public var namePrefix: String?
    /// Attribute equality: `attribute.tier=gold` becomes `("tier", ["\"gold\""])`, the candidate values as JSON text.
    public var attributes: [(key: String, candidates: [String])]
    public var updatedSince: Timestamp?
    public var lifecycleStage: LifecycleStage?
    public var ownerID: String?
    /// A CEL filter over the customer (`schema`), as the database evaluates it.
    public var condition: ListCondition?

    public init(identity: Identity? = nil, namePrefix: String? = nil, attributes: [(key: String, candidates: [String])] = [],
                updatedSince: Timestamp? = nil, lifecycleStage: LifecycleStage? = nil, ownerID: String? = nil) {
        self.identity = identity
        self.namePrefix = namePrefix
        self.attributes = attributes
        self.updatedSince = updatedSince
        self.lifecycleStage = lifecycleStage
        self.ownerID = ownerID
    }

    public static func == (lhs: CustomerFilter, rhs: CustomerFilter) -> Bool {
        lhs.identity == rhs.identity && lhs.namePrefix == rhs.namePrefix && lhs.updatedSince == rhs.updatedSince
            && lhs.lifecycleStage == rhs.lifecycleStage && lhs.ownerID == rhs.ownerID
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key)
            && lhs.attributes.map(\.candidates) == rhs.attributes.map(\.candidates) && lhs.condition == rhs.condition
    }

    /// The JSON texts an attribute query value may stand for: `5` matches the number 5 and the
    /// string "5"; `true` the boolean and the string; anything else the string only.
    public static func candidates(for text: String) -> [String] {
        var result = [JSONValue.string(text).jsonString]
        if let literal = try? JSONParser.parse(text) {
            switch literal {
            case .integer, .double, .bool, .null: result.append(literal.jsonString)
            default: break
            }
        }
        return result
    }

    /// What a CEL filter over customers may name (a list's `filter`, a segment's, an export's):
    /// the customer's columns, and any of its attributes.
    public static var schema: ListFilterSchema { schema(recordTypes: []) }

    /// The schema with the records of these types: `records.deal.exists(d, d.stage == "won")`.
    public static func schema(recordTypes: [RecordType]) -> ListFilterSchema {
        var schema = AggregateSource.customers.schema
        schema.openColumns = ["attributes"]
        for type in recordTypes { schema.relatedRecords[type.key] = type.filterSchema }
        return schema
    }

    public static func isValidAttributeKey(_ key: String) -> Bool {
        AttributeInput.isValidKey(key)
    }
}
