/// A part of the company that serves customers: sales, marketing, service, finance, or one of yours.
public struct Department: Sendable, Equatable {
    public var id: String
    /// Short stable name used in rules and on the command line, e.g. `service`.
    public var key: String
    public var name: String
    public var description: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: String, key: String, name: String, description: String?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.key = key
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The departments every new installation starts with.
    public static let seeds: [(key: String, name: String, description: String)] = [
        ("sales", "Sales", "Leads, opportunities and deals"),
        ("marketing", "Marketing", "Campaigns, segments and consent"),
        ("service", "Customer Service", "Questions, complaints and cases"),
        ("finance", "Finance", "Invoices, payments and refunds"),
    ]

    public var json: JSONValue {
        [
            "id": .string(id), "key": .string(key), "name": .string(name),
            "description": description.map(JSONValue.string) ?? .null,
            "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339),
        ]
    }

    /// True for lower-case slugs like `customer-care`.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 40 && key.utf8.first.map({ $0 >= 97 && $0 <= 122 }) == true
            && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }
}

/// Validated fields for creating or editing a department.
public struct DepartmentChanges: Sendable, Equatable {
    public var key: String?
    public var name: String?
    public var description: PatchValue<String> = .unchanged

    public init(key: String? = nil, name: String? = nil, description: PatchValue<String> = .unchanged) {
        self.key = key
        self.name = name
        self.description = description
    }

    public static func read(_ value: JSONValue, creating: Bool) throws(ValidationFailure) -> DepartmentChanges {
        var reader = try InputReader(value)
        let key = reader.string("key", required: creating, maxLength: 40)
        if let key, !Department.isValidKey(key) {
            reader.fail("key", "use lower-case letters, digits, '-' and '_', starting with a letter")
        }
        let name = reader.string("name", required: creating, maxLength: 200)
        let description = reader.patchString("description", maxLength: 2_000)
        try reader.finish()
        return DepartmentChanges(key: key, name: name, description: description)
    }
}
