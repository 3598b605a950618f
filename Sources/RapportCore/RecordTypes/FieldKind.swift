/// What a field of a record type holds.
public enum FieldKind: String, Sendable, CaseIterable {
    /// One line of text (at most 1,000 characters).
    case text
    /// Paragraphs (at most 100,000 characters).
    case longText = "long_text"
    case number
    /// An amount in a currency: `{"amount": "1250.00", "currency": "EUR"}`.
    case money
    case percent
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// An instant, RFC 3339.
    case datetime
    case boolean
    /// One of the field's choices.
    case choice
    /// Several of the field's choices.
    case multiChoice = "multi_choice"
    case email
    case phone
    /// An `http(s)://` address.
    case url
    /// A customer, user, department or record of a type.
    case reference
    /// Several of them.
    case referenceList = "reference_list"

    public var hasChoices: Bool { self == .choice || self == .multiChoice }
    public var refers: Bool { self == .reference || self == .referenceList }
}

/// What a reference field points at.
public enum ReferenceTarget: Sendable, Equatable, Hashable {
    case customer
    case user
    case department
    /// A record of the type with this key.
    case record(String)

    /// `customer`, `user`, `department` or `record:<type key>`.
    public init?(_ text: String) {
        switch text {
        case "customer": self = .customer
        case "user": self = .user
        case "department": self = .department
        default:
            guard text.hasPrefix("record:"), RecordTypeKey.isValid(String(text.dropFirst(7))) else { return nil }
            self = .record(String(text.dropFirst(7)))
        }
    }

    public var name: String {
        switch self {
        case .customer: "customer"
        case .user: "user"
        case .department: "department"
        case .record(let key): "record:\(key)"
        }
    }

    /// The prefix of the ids it takes.
    public var idPrefix: String {
        switch self {
        case .customer: "cus_"
        case .user: "usr_"
        case .department: "dep_"
        case .record: "rec_"
        }
    }
}

/// The keys of record types and their fields: lower-case letters, digits and `_`, starting with a
/// letter, at most 40 characters — they name JSON members, CEL fields and URL segments.
public enum RecordTypeKey {
    public static func isValid(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first), key.unicodeScalars.count <= 40 else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
