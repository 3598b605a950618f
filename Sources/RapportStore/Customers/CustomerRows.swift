import RapportCore
import SQLKit

/// Reads customers and their identities from rows.
enum CustomerRows {
    /// A customer with its identities; the versions of its fields are left unread.
    static func find(id: String, includeDeleted: Bool = false, on database: any SQLDatabase) async throws -> Customer? {
        try await findRow(id: id, includeDeleted: includeDeleted, forUpdate: false, on: database)?.customer
    }

    /// The customer with the versions of its fields; `forUpdate` locks the row on PostgreSQL until commit.
    static func findVersioned(id: String, includeDeleted: Bool = false, forUpdate: Bool = false,
                              on database: any SQLDatabase) async throws -> VersionedCustomer? {
        guard let (customer, row) = try await findRow(id: id, includeDeleted: includeDeleted, forUpdate: forUpdate, on: database) else {
            return nil
        }
        let versions = CustomerVersions(stored: (try? JSONParser.parse(try row.string("field_versions"))) ?? .null, of: customer)
        return VersionedCustomer(customer: customer, versions: versions)
    }

    /// Several customers with the versions of their fields, by id (deleted ones left out); `forUpdate`
    /// locks the rows on PostgreSQL until commit.
    static func findVersioned(ids: [String], forUpdate: Bool, on database: any SQLDatabase) async throws -> [String: VersionedCustomer] {
        guard !ids.isEmpty else { return [:] }
        let lock: SQLQueryString = forUpdate && database.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let rows = try await database.raw("SELECT * FROM customers WHERE id IN (\(binds: ids)) AND deleted_at IS NULL" + lock).all()
        let identities = try await identities(of: ids, on: database)
        var found: [String: VersionedCustomer] = [:]
        for row in rows {
            var customer = try decode(row)
            customer.identities = identities[customer.id] ?? []
            let versions = CustomerVersions(stored: (try? JSONParser.parse(try row.string("field_versions"))) ?? .null, of: customer)
            found[customer.id] = VersionedCustomer(customer: customer, versions: versions)
        }
        return found
    }

    private static func findRow(id: String, includeDeleted: Bool, forUpdate: Bool,
                                on database: any SQLDatabase) async throws -> (customer: Customer, row: any SQLRow)? {
        let lock: SQLQueryString = forUpdate && database.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let row = try await database.raw("SELECT * FROM customers WHERE id = \(bind: id)" + lock).first() else { return nil }
        var customer = try decode(row)
        if customer.deletedAt != nil, !includeDeleted { return nil }
        customer.identities = try await identities(of: [id], on: database)[id] ?? []
        return (customer, row)
    }

    /// Identities of several customers at once, each list in stored order.
    static func identities(of customerIDs: [String], on database: any SQLDatabase) async throws -> [String: [Identity]] {
        guard !customerIDs.isEmpty else { return [:] }
        let rows = try await database.raw("""
            SELECT customer_id, kind, value FROM identities WHERE customer_id IN (\(binds: customerIDs))
            ORDER BY customer_id, position
            """).all()
        var result: [String: [Identity]] = [:]
        for row in rows {
            let identity = Identity(kind: try storedEnum(try row.string("kind")), value: try row.string("value"))
            result[try row.string("customer_id"), default: []].append(identity)
        }
        return result
    }

    /// Customers of the given rows with their identities filled in.
    static func hydrate(_ rows: [any SQLRow], on database: any SQLDatabase) async throws -> [Customer] {
        var customers = try rows.map(decode)
        let identities = try await identities(of: customers.map(\.id), on: database)
        for index in customers.indices {
            customers[index].identities = identities[customers[index].id] ?? []
        }
        return customers
    }

    /// Addresses from their stored JSON text.
    static func addresses(fromText text: String) -> [Address] {
        ((try? JSONParser.parse(text))?.arrayValue ?? []).map(Address.init(stored:))
    }

    static func decode(_ row: any SQLRow) throws -> Customer {
        let addresses = addresses(fromText: try row.string("addresses"))
        return Customer(
            id: try row.string("id"), kind: try storedEnum(try row.string("kind")), name: try row.string("name"),
            givenName: try row.optionalString("given_name"), familyName: try row.optionalString("family_name"),
            identities: [], addresses: addresses, company: try row.optionalString("company"),
            lifecycleStage: try row.optionalString("lifecycle_stage").map { try storedEnum($0) },
            ownerID: try row.optionalString("owner_id"), attributes: try row.jsonObject("attributes"),
            version: try row.int64("version"), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"), deletedAt: try row.optionalTimestamp("deleted_at"),
            mergedInto: try row.optionalString("merged_into")
        )
    }

    /// Inserts customers and their identities, two statements for any number of customers.
    static func insert(_ rows: ArraySlice<CustomerRow>, on database: any SQLDatabase) async throws {
        guard let first = rows.first else { return }
        var insert = RowsInsert(into: "customers", columns: [
            "id", "kind", "name", "name_key", "given_name", "family_name", "company", "lifecycle_stage", "owner_id",
            "addresses", "attributes", "version", "created_at", "updated_at", "field_versions",
        ], reservingRows: rows.count)
        for row in rows {
            let customer = row.record.customer
            insert.append(customer.id, customer.kind.rawValue, customer.name, row.nameKey, customer.givenName, customer.familyName,
                          customer.company, customer.lifecycleStage?.rawValue, customer.ownerID, row.addresses, row.attributes,
                          customer.version, customer.createdAt.microseconds, customer.updatedAt.microseconds, row.versions)
        }
        try await insert.run(on: database)
        try await insertIdentities(rows.map { ($0.record.customer.id, $0.record.customer.identities) },
                                   at: first.record.customer.createdAt, on: database)
    }

    /// Writes every column of a customer but its id and creation time (identities are separate rows).
    static func update(_ record: VersionedCustomer, on database: any SQLDatabase) async throws {
        let customer = record.customer
        try await database.raw("""
            UPDATE customers SET kind = \(bind: customer.kind.rawValue), name = \(bind: customer.name),
                name_key = \(bind: nameKey(customer.name)), given_name = \(bind: customer.givenName),
                family_name = \(bind: customer.familyName), company = \(bind: customer.company),
                lifecycle_stage = \(bind: customer.lifecycleStage?.rawValue), owner_id = \(bind: customer.ownerID),
                addresses = \(bind: addressesText(customer.addresses)), attributes = \(bind: attributesText(customer.attributes)),
                version = \(bind: customer.version), updated_at = \(bind: customer.updatedAt.microseconds),
                deleted_at = \(bind: customer.deletedAt?.microseconds), merged_into = \(bind: customer.mergedInto),
                field_versions = \(bind: record.versions.json.jsonString)
            WHERE id = \(bind: customer.id)
            """).run()
    }

    /// Inserts identity rows of several customers in one statement, each list keeping its order.
    static func insertIdentities(_ lists: [(customerID: String, identities: [Identity])], at time: Timestamp,
                                 on database: any SQLDatabase) async throws {
        var insert = RowsInsert(into: "identities", columns: ["kind", "value", "customer_id", "position", "created_at"],
                                reservingRows: lists.count * 2)
        for (customerID, identities) in lists {
            for (position, identity) in identities.enumerated() {
                insert.append(identity.kind.rawValue, identity.value, customerID, position, time.microseconds)
            }
        }
        try await insert.run(on: database)
    }

    /// Lower-cased name used for prefix search.
    static func nameKey(_ name: String) -> String {
        name.lowercased()
    }

    static func addressesText(_ addresses: [Address]) -> String {
        JSONValue.array(addresses.map(\.json)).jsonString
    }

    static func attributesText(_ attributes: JSONObject) -> String {
        JSONValue.object(attributes).jsonString
    }
}

/// A customer's row to insert, its text columns serialized (for a prepared customer, before the
/// writer takes it).
struct CustomerRow: Sendable {
    let record: VersionedCustomer
    let nameKey: String
    let addresses: String
    let attributes: String
    let versions: String

    init(_ record: VersionedCustomer) {
        self.init(record, versions: record.versions.json)
    }

    /// The row of a customer just created from `new` by one write: its versions in the compact
    /// form where that reads back exactly.
    init(created record: VersionedCustomer, from new: NewCustomer, by provenance: Provenance) {
        self.init(record, versions: CustomerVersions.storedForm(ofCreated: record, from: new, by: provenance))
    }

    private init(_ record: VersionedCustomer, versions: JSONValue) {
        self.record = record
        nameKey = CustomerRows.nameKey(record.customer.name)
        addresses = CustomerRows.addressesText(record.customer.addresses)
        attributes = CustomerRows.attributesText(record.customer.attributes)
        self.versions = versions.jsonString
    }
}
