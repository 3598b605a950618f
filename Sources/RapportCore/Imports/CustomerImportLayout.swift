/// The columns a customer file may have, and each row set out as a merge patch of a customer (the
/// body `PATCH /v1/customers/{id}` takes): `name`, `given_name`, `family_name`, `kind`, `company`,
/// `lifecycle_stage`, `owner_id`, `emails`, `phones`, `identities` (several values in one cell
/// separated by `;`, several columns may feed one list), `attributes.<key>` and one postal address
/// from `address.line1`, `address.line2`, `address.city`, `address.region`, `address.postal_code`,
/// `address.country` and `address.label`. Empty cells say nothing: they never clear a value.
public struct CustomerImportLayout: ImportLayout {
    static let scalars: Set<String> = ["name", "given_name", "family_name", "kind", "company", "lifecycle_stage", "owner_id"]
    static let lists: Set<String> = ["emails", "phones", "identities"]
    static let addressParts: Set<String> = ["label", "line1", "line2", "city", "region", "postal_code", "country"]

    public init() {}

    public static var targets: [String] {
        scalars.sorted() + lists.sorted() + addressParts.sorted().map { "address.\($0)" } + ["attributes.<key>"]
    }

    public func isTarget(_ name: String) -> Bool {
        if Self.scalars.contains(name) || Self.lists.contains(name) { return true }
        if name.hasPrefix("attributes.") { return AttributeInput.isValidKey(String(name.dropFirst("attributes.".count))) }
        if name.hasPrefix("address.") { return Self.addressParts.contains(String(name.dropFirst("address.".count))) }
        return false
    }

    public func row(_ number: Int64, cells: [String], columns: [String], mapping: ImportMapping) -> ImportRow {
        var row = ImportRow(number: number)
        var lists: [String: [JSONValue]] = [:]
        var attributes = JSONObject()
        var address = JSONObject()
        for (index, cell) in cells.enumerated() where index < columns.count {
            let text = Self.text(ofCell: cell)
            guard let target = mapping.target(of: columns[index], isTarget: isTarget) else { continue }
            let column = columns[index]
            guard !text.isEmpty else {
                // An empty cell says nothing, but a problem with what is missing names its column.
                if Self.scalars.contains(target), row.sources[target] == nil { row.sources[target] = column }
                continue
            }
            if Self.lists.contains(target) {
                for item in Self.listItems(text) {
                    row.sources["\(target)[\(lists[target, default: []].count)]"] = column
                    lists[target, default: []].append(.string(item))
                }
            } else if target.hasPrefix("attributes.") {
                let key = String(target.dropFirst("attributes.".count))
                attributes[key] = .string(text)
                row.sources["attributes.\(key)"] = column
            } else if target.hasPrefix("address.") {
                let part = String(target.dropFirst("address.".count))
                address[part] = .string(text)
                row.sources["addresses[0].\(part)"] = column
                if row.sources["addresses"] == nil { row.sources["addresses"] = column }
            } else {
                row.body[target] = .string(text)
                row.sources[target] = column
            }
        }
        for key in Self.lists.sorted() {
            if let items = lists[key] { row.body[key] = .array(items) }
        }
        if !attributes.isEmpty { row.body["attributes"] = .object(attributes) }
        if !address.isEmpty { row.body["addresses"] = [.object(address)] }
        return row
    }

    /// What an export writes that an import does not set.
    static let readOnly = ["id", "version", "created_at", "updated_at", "deleted_at", "merged_into"]

    public func row(_ number: Int64, object: JSONObject, mapping: ImportMapping) -> ImportRow {
        var (body, sources) = renamed(object, mapping: mapping)
        for key in Self.readOnly { body[key] = nil }
        // An exported address names every part, null where it has none.
        if case .array(let addresses)? = body["addresses"] {
            body["addresses"] = .array(addresses.map { address in
                guard case .object(let parts) = address else { return address }
                return .object(JSONObject(parts.filter { !$0.value.isNull }.map { ($0.key, $0.value) }))
            })
        }
        return ImportRow(number: number, body: body, sources: sources)
    }
}

/// A customer row read and checked: what it says as a merge patch, and the identities that find
/// the customer it is about.
public struct CustomerImportRow: Sendable, Equatable {
    public var row: ImportRow
    public var patch: CustomerPatch

    public init(row: ImportRow, patch: CustomerPatch) {
        self.row = row
        self.patch = patch
    }

    /// The row checked as the API checks a patch; its problems named by column.
    public static func read(_ row: ImportRow, normalizer: IdentityNormalizer) -> CheckedRow<CustomerImportRow> {
        guard row.issues.isEmpty else { return .refused(row.issues) }
        do throws(ValidationFailure) {
            let patch = try CustomerPatch.read(.object(row.body), normalizer: normalizer)
            return .ready(CustomerImportRow(row: row, patch: patch))
        } catch {
            return .refused(row.issues(of: error))
        }
    }

    /// Every identity the row names, each once.
    public var identities: [Identity] {
        Customer.canonicalOrder((patch.emails ?? []) + (patch.phones ?? []) + (patch.otherIdentities ?? []))
    }

    /// The row as a new customer: it needs a name (or a given or family name).
    public func newCustomer() -> CheckedRow<NewCustomer> {
        let given = patch.givenName.applied(to: nil)
        let family = patch.familyName.applied(to: nil)
        let name = patch.name ?? [given, family].compactMap { $0 }.joined(separator: " ")
        guard !name.isEmpty else {
            return .refused([ImportRowIssue(row: row.number, column: row.sources["name"] ?? "name",
                                            reason: "a new customer needs a name (or a given or family name)")])
        }
        var attributes = patch.attributes ?? JSONObject()
        for (key, value) in attributes where value.isNull { attributes[key] = nil }
        return .ready(NewCustomer(kind: patch.kind ?? .person, name: name, givenName: given, familyName: family,
                                    identities: identities, addresses: patch.addresses ?? [],
                                    company: patch.company.applied(to: nil), lifecycleStage: patch.lifecycleStage.applied(to: nil),
                                    ownerID: patch.ownerID.applied(to: nil), attributes: attributes))
    }

    /// The patch for an existing customer: identities and addresses the row names join those the
    /// customer has (an import adds, it does not take away); the rest as the row says.
    public func patch(for current: Customer) -> CustomerPatch {
        var patch = self.patch
        func joined(_ given: [Identity]?, _ kinds: (IdentityKind) -> Bool) -> [Identity]? {
            guard let given else { return nil }
            let have = current.identities.filter { kinds($0.kind) }
            let added = given.filter { !have.contains($0) }
            return added.isEmpty ? nil : have + added
        }
        patch.emails = joined(patch.emails) { $0 == .email }
        patch.phones = joined(patch.phones) { $0 == .phone }
        patch.otherIdentities = joined(patch.otherIdentities) { $0 != .email && $0 != .phone }
        // A CSV cell is text: `true` or `12` in a cell is the value the customer has when its text is that.
        if var attributes = patch.attributes {
            for (key, value) in attributes {
                guard case .string(let text) = value, let have = current.attributes[key], have.stringValue == nil, !have.isNull else { continue }
                let haveText: String? = switch have {
                case .bool(let flag): flag ? "true" : "false"
                case .integer(let number): String(number)
                case .double(let number): String(number)
                default: nil
                }
                if haveText == text { attributes[key] = nil }
            }
            patch.attributes = attributes.isEmpty ? nil : attributes
        }
        if let addresses = patch.addresses {
            let added = addresses.filter { !current.addresses.contains($0) }
            patch.addresses = added.isEmpty ? nil : current.addresses + added
        }
        return patch
    }
}
