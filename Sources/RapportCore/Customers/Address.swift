/// A postal address of a customer.
public struct Address: Sendable, Equatable {
    public var label: String?
    public var line1: String?
    public var line2: String?
    public var city: String?
    public var region: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String?

    public init(label: String? = nil, line1: String? = nil, line2: String? = nil, city: String? = nil,
                region: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.label = label
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["label"] = label.map(JSONValue.string) ?? .null
        object["line1"] = line1.map(JSONValue.string) ?? .null
        object["line2"] = line2.map(JSONValue.string) ?? .null
        object["city"] = city.map(JSONValue.string) ?? .null
        object["region"] = region.map(JSONValue.string) ?? .null
        object["postal_code"] = postalCode.map(JSONValue.string) ?? .null
        object["country"] = country.map(JSONValue.string) ?? .null
        return .object(object)
    }

    /// Reads an address from its JSON form, reporting problems under `path`.
    public static func read(_ value: JSONValue, path: String) throws(ValidationFailure) -> Address {
        var reader = try InputReader(value, path: path)
        var address = Address(
            label: reader.string("label", maxLength: 100),
            line1: reader.string("line1", maxLength: 300),
            line2: reader.string("line2", maxLength: 300),
            city: reader.string("city", maxLength: 200),
            region: reader.string("region", maxLength: 200),
            postalCode: reader.string("postal_code", maxLength: 40),
            country: reader.string("country", maxLength: 2)
        )
        if let country = address.country {
            let upper = country.uppercased()
            if upper.count == 2, upper.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) {
                address.country = upper
            } else {
                reader.fail("country", "must be an ISO 3166-1 alpha-2 code such as DE")
            }
        }
        try reader.finish()
        return address
    }

    /// Reads an address from trusted stored JSON.
    public init(stored value: JSONValue) {
        let object = value.objectValue ?? JSONObject()
        self.init(
            label: object["label"]?.stringValue, line1: object["line1"]?.stringValue,
            line2: object["line2"]?.stringValue, city: object["city"]?.stringValue,
            region: object["region"]?.stringValue, postalCode: object["postal_code"]?.stringValue,
            country: object["country"]?.stringValue
        )
    }
}
