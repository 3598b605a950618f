/// Where a match field or a blocking key takes its values from in a customer record.
///
/// Written as a path such as `given_name`, `emails`, `address.postal_code` or
/// `attributes.date_of_birth`. Sources over several addresses, emails or phones give several
/// values; a comparison then takes the best level over all value pairs.
public enum FieldSource: Sendable, Hashable {
    /// The display name, e.g. "Ana López" or "张伟".
    case name
    case givenName
    case familyName
    case company
    /// Every email identity.
    case emails
    /// Every phone identity.
    case phones
    /// Every email and phone identity together: two records share a contact when any one is equal.
    case contacts
    case addressLine1
    case addressLine2
    /// The house number read from line 1: its first word that starts with a digit ("12a" in
    /// "12a Main Street" and in "Hauptstraße 12a").
    case addressHouseNumber
    /// Line 1 without its house number, so that the street compares apart from the number.
    case addressStreet
    case addressCity
    case addressRegion
    case addressPostalCode
    case addressCountry
    /// A custom attribute: a string, a number, or an array of them.
    case attribute(String)

    /// The path form, e.g. `address.postal_code`.
    public var path: String {
        switch self {
        case .name: "name"
        case .givenName: "given_name"
        case .familyName: "family_name"
        case .company: "company"
        case .emails: "emails"
        case .phones: "phones"
        case .contacts: "contacts"
        case .addressLine1: "address.line1"
        case .addressLine2: "address.line2"
        case .addressHouseNumber: "address.house_number"
        case .addressStreet: "address.street"
        case .addressCity: "address.city"
        case .addressRegion: "address.region"
        case .addressPostalCode: "address.postal_code"
        case .addressCountry: "address.country"
        case .attribute(let key): "attributes.\(key)"
        }
    }

    /// The source that `path` names, or nil when it names none.
    public init?(path: String) {
        let fixed: [String: FieldSource] = [
            "name": .name, "given_name": .givenName, "family_name": .familyName, "company": .company,
            "emails": .emails, "phones": .phones, "contacts": .contacts,
            "address.line1": .addressLine1, "address.line2": .addressLine2,
            "address.house_number": .addressHouseNumber, "address.street": .addressStreet,
            "address.city": .addressCity, "address.region": .addressRegion,
            "address.postal_code": .addressPostalCode, "address.country": .addressCountry,
        ]
        if let source = fixed[path] {
            self = source
        } else if path.hasPrefix("attributes."), path.count > "attributes.".count {
            self = .attribute(String(path.dropFirst("attributes.".count)))
        } else {
            return nil
        }
    }

    /// How values from this source are normalized unless a field or key says otherwise.
    public var naturalNormalization: ValueNormalization {
        switch self {
        case .emails: .email
        case .phones: .phone
        case .contacts: .contact
        default: .text
        }
    }

    /// The raw values of this source in `customer`, empty ones left out.
    public func values(in customer: Customer) -> [String] {
        let raw: [String]
        switch self {
        case .name: raw = [customer.name]
        case .givenName: raw = customer.givenName.map { [$0] } ?? []
        case .familyName: raw = customer.familyName.map { [$0] } ?? []
        case .company: raw = customer.company.map { [$0] } ?? []
        case .emails: raw = Self.identities(of: customer, email: true, phone: false)
        case .phones: raw = Self.identities(of: customer, email: false, phone: true)
        case .contacts: raw = Self.identities(of: customer, email: true, phone: true)
        case .addressLine1: raw = customer.addresses.compactMap(\.line1)
        case .addressLine2: raw = customer.addresses.compactMap(\.line2)
        case .addressHouseNumber: raw = customer.addresses.compactMap { $0.line1.flatMap { StreetLine($0).houseNumber } }
        case .addressStreet: raw = customer.addresses.compactMap { $0.line1.map { StreetLine($0).street } }
        case .addressCity: raw = customer.addresses.compactMap(\.city)
        case .addressRegion: raw = customer.addresses.compactMap(\.region)
        case .addressPostalCode: raw = customer.addresses.compactMap(\.postalCode)
        case .addressCountry: raw = customer.addresses.compactMap(\.country)
        case .attribute(let key): raw = customer.attributes[key].map(Self.strings(in:)) ?? []
        }
        return raw.contains(where: \.isEmpty) ? raw.filter { !$0.isEmpty } : raw
    }

    private static func identities(of customer: Customer, email: Bool, phone: Bool) -> [String] {
        var values: [String] = []
        for identity in customer.identities where (email && identity.kind == .email) || (phone && identity.kind == .phone) {
            values.append(identity.value)
        }
        return values
    }

    private static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .integer(let number): [String(number)]
        case .double(let number): [number.description]
        case .array(let elements): elements.flatMap { element -> [String] in
            if case .array = element { return [] }
            return strings(in: element)
        }
        case .null, .bool, .object: []
        }
    }
}

/// Line 1 of an address split into its house number and the street around it.
struct StreetLine {
    var houseNumber: String?
    var street: String

    init(_ line: String) {
        let utf8 = line.utf8
        func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x2C }
        // The first word that starts with a digit; words are split at spaces, tabs and commas.
        var wordStart = utf8.startIndex
        var atWordStart = true
        var found: Range<String.Index>?
        var position = utf8.startIndex
        while position < utf8.endIndex {
            let byte = utf8[position]
            if isSeparator(byte) {
                atWordStart = true
            } else {
                if atWordStart { wordStart = position }
                if atWordStart, Self.startsWithDigit(line[position...]) {
                    var end = position
                    while end < utf8.endIndex, !isSeparator(utf8[end]) { end = utf8.index(after: end) }
                    found = wordStart..<end
                    break
                }
                atWordStart = false
            }
            position = utf8.index(after: position)
        }
        guard let found else {
            houseNumber = nil
            street = line
            return
        }
        houseNumber = String(line[found])
        let before = line[..<found.lowerBound].trimmingSeparators()
        let after = line[found.upperBound...].trimmingSeparators()
        street = before.isEmpty ? String(after) : after.isEmpty ? String(before) : before + " " + after
    }

    private static func startsWithDigit(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        if first.isASCII { return first.value >= 0x30 && first.value <= 0x39 }
        return first.properties.generalCategory == .decimalNumber
    }
}

private extension Substring {
    func trimmingSeparators() -> Substring {
        var text = self
        while let first = text.utf8.first, first == 0x20 || first == 0x09 || first == 0x2C { text = text.dropFirst() }
        while let last = text.utf8.last, last == 0x20 || last == 0x09 || last == 0x2C { text = text.dropLast() }
        return text
    }
}
