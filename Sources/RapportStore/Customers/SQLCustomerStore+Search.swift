import RapportCore
import SQLKit

extension SQLCustomerStore {
    public func searchCustomers(_ query: CustomerSearchQuery, limit: Int) async throws -> [Customer] {
        try await read { database in
            var ids: [String] = []
            func take(_ rows: [any SQLRow]) throws {
                for row in rows {
                    let id = try row.string("customer_id")
                    if !ids.contains(id) { ids.append(id) }
                }
            }
            for identity in query.identities where ids.count < limit {
                try take(try await database.raw("""
                    SELECT customer_id FROM identities WHERE kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value)
                    """).all())
            }
            for prefix in query.identityPrefixes where ids.count < limit {
                // A range on the primary key (kind, value): an index seek on both databases.
                try take(try await database.raw("""
                    SELECT customer_id FROM identities
                    WHERE kind = \(bind: prefix.kind.rawValue) AND value >= \(bind: prefix.prefix) AND value < \(bind: prefix.prefix + "\u{10FFFF}")
                    ORDER BY value LIMIT \(bind: limit)
                    """).all())
            }
            if let name = query.namePrefix, ids.count < limit {
                let low = CustomerRows.nameKey(name)
                try take(try await database.raw(prefixSearch(.name, from: low, limit: limit)).all())
                if ids.count < limit {
                    try take(try await database.raw(prefixSearch(.company, from: low, limit: limit)).all())
                }
            }
            guard !ids.isEmpty else { return [] }
            let wanted = Array(ids.prefix(limit))
            let rows = try await database.raw("""
                SELECT c.* FROM customers c WHERE c.id IN (\(binds: wanted)) AND c.deleted_at IS NULL AND c.merged_into IS NULL
                """).all()
            let customers = try await CustomerRows.hydrate(rows, on: database)
            let byID = Dictionary(customers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return wanted.compactMap { byID[$0] }
        }
    }

    /// The keys a search prefix is looked up in.
    private enum SearchKey {
        case name, company

        var column: SQLQueryString {
            switch self {
            case .name: "name_key"
            case .company: "lower(company)"
            }
        }
    }

    /// Live customers whose `key` (name_key or lower(company)) starts with `prefix`: a range in
    /// code point order, which the indexes of migration 11 answer with a seek (every key that
    /// starts with the prefix, and only those; U+10FFFF is the last code point). On PostgreSQL the
    /// comparison is in the "C" collation, the order of the index.
    private func prefixSearch(_ key: SearchKey, from prefix: String, limit: Int) -> SQLQueryString {
        let column = key.column
        let collation: SQLQueryString = flavor == .postgres ? #" COLLATE "C""# : ""
        return "SELECT id AS customer_id FROM customers WHERE " + column + collation + " >= \(bind: prefix) AND "
            + column + collation + " < \(bind: prefix + "\u{10FFFF}") AND deleted_at IS NULL AND merged_into IS NULL "
            + "ORDER BY name_key, id LIMIT \(bind: limit)"
    }
}
