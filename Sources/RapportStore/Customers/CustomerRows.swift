import RapportCore
import SQLKit

/// Reads customers and their identities from rows.
enum CustomerRows {
    static func find(id: String, includeDeleted: Bool = false, on database: any SQLDatabase) async throws -> Customer? {
        guard let row = try await database.raw("SELECT * FROM customers WHERE id = \(bind: id)").first() else { return nil }
        var customer = try decode(row)
        if customer.deletedAt != nil, !includeDeleted { return nil }
        customer.identities = try await identities(of: [id], on: database)[id] ?? []
        return customer
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

    static func decode(_ row: any SQLRow) throws -> Customer {
        let addresses = ((try? JSONParser.parse(try row.string("addresses")))?.arrayValue ?? []).map(Address.init(stored:))
        return Customer(
            id: try row.string("id"), kind: try storedEnum(try row.string("kind")), name: try row.string("name"),
            givenName: try row.optionalString("given_name"), familyName: try row.optionalString("family_name"),
            identities: [], addresses: addresses, company: try row.optionalString("company"),
            lifecycleStage: try row.optionalString("lifecycle_stage").map { try storedEnum($0) },
            ownerID: try row.optionalString("owner_id"), attributes: try row.jsonObject("attributes"),
            version: try row.int64("version"), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"), deletedAt: try row.optionalTimestamp("deleted_at")
        )
    }

    /// Inserts customers and their identities, two statements for any number of customers.
    static func insert(_ customers: ArraySlice<Customer>, on database: any SQLDatabase) async throws {
        guard !customers.isEmpty else { return }
        var values: [SQLQueryString] = []
        values.reserveCapacity(customers.count)
        for customer in customers {
            values.append("""
                (\(bind: customer.id), \(bind: customer.kind.rawValue), \(bind: customer.name), \(bind: nameKey(customer.name)),
                 \(bind: customer.givenName), \(bind: customer.familyName), \(bind: customer.company),
                 \(bind: customer.lifecycleStage?.rawValue), \(bind: customer.ownerID), \(bind: addressesText(customer.addresses)),
                 \(bind: attributesText(customer.attributes)), \(bind: customer.version), \(bind: customer.createdAt.microseconds),
                 \(bind: customer.updatedAt.microseconds))
                """)
        }
        let head: SQLQueryString = """
            INSERT INTO customers (id, kind, name, name_key, given_name, family_name, company, lifecycle_stage, owner_id,
                                   addresses, attributes, version, created_at, updated_at) VALUES 
            """
        try await database.raw(head + values.joined(separator: ", ")).run()
        if let first = customers.first {
            try await insertIdentities(customers.map { ($0.id, $0.identities) }, at: first.createdAt, on: database)
        }
    }

    /// Inserts identity rows of several customers in one statement, each list keeping its order.
    static func insertIdentities(_ lists: [(customerID: String, identities: [Identity])], at time: Timestamp,
                                 on database: any SQLDatabase) async throws {
        var values: [SQLQueryString] = []
        for (customerID, identities) in lists {
            for (position, identity) in identities.enumerated() {
                values.append("(\(bind: identity.kind.rawValue), \(bind: identity.value), \(bind: customerID), \(bind: position), \(bind: time.microseconds))")
            }
        }
        guard !values.isEmpty else { return }
        try await database.raw("INSERT INTO identities (kind, value, customer_id, position, created_at) VALUES "
            + values.joined(separator: ", ")).run()
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
