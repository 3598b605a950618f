/// Customers written out for other programs, in the columns an import reads back: CSV with one
/// column per field (lists joined by `;`, the first address as `address.<part>`, one
/// `attributes.<key>` column per attribute any exported customer has), or JSON Lines (each
/// customer's JSON as the API gives it).
public enum CustomerExport {
    static let addressParts = ["label", "line1", "line2", "city", "region", "postal_code", "country"]

    public static func columns(attributeKeys: [String]) -> [String] {
        ["id", "kind", "name", "given_name", "family_name", "emails", "phones", "identities", "company", "lifecycle_stage", "owner_id"]
            + addressParts.map { "address.\($0)" } + attributeKeys.map { "attributes.\($0)" } + ["created_at", "updated_at", "version"]
    }

    public static func header(attributeKeys: [String]) -> String {
        CSVLine.make(columns(attributeKeys: attributeKeys))
    }

    /// One customer's CSV row, in `columns(attributeKeys:)`'s order.
    public static func row(_ customer: Customer, attributeKeys: [String]) -> String {
        let others = customer.identities.filter { $0.kind != .email && $0.kind != .phone }.map(\.qualified)
        var cells = [customer.id, customer.kind.rawValue, customer.name, customer.givenName ?? "", customer.familyName ?? "",
                     customer.emails.joined(separator: ";"), customer.phones.joined(separator: ";"), others.joined(separator: ";"),
                     customer.company ?? "", customer.lifecycleStage?.rawValue ?? "", customer.ownerID ?? ""]
        let address = customer.addresses.first?.json.objectValue
        cells += addressParts.map { address?[$0]?.stringValue ?? "" }
        cells += attributeKeys.map { CSVLine.text(customer.attributes[$0] ?? .null) }
        cells += [customer.createdAt.rfc3339, customer.updatedAt.rfc3339, String(customer.version)]
        return CSVLine.make(cells)
    }

    public static func jsonLine(_ customer: Customer) -> String {
        customer.json.jsonString + "\n"
    }
}
