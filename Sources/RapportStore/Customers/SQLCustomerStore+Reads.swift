import Foundation
import RapportCore
import SQLKit

extension SQLCustomerStore {
    /// A customer that is not deleted.
    public func customer(_ id: String) async throws -> Customer? {
        try await read { try await CustomerRows.find(id: id, on: $0) }
    }

    /// The customer an identity resolves to.
    public func customer(holding identity: Identity) async throws -> Customer? {
        try await read { database in
            guard let row = try await database.raw("""
                SELECT customer_id FROM identities WHERE kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value)
                """).first() else { return nil }
            return try await CustomerRows.find(id: try row.string("customer_id"), on: database)
        }
    }

    /// A page of customers in id (creation) order.
    public func customers(matching filter: CustomerFilter, limit: Int, cursor: String?) async throws -> Page<Customer> {
        let after = try cursor.map(ListCursor.decode)
        var conditions: [SQLQueryString] = ["c.deleted_at IS NULL", "c.merged_into IS NULL"]
        if let after { conditions.append("c.id > \(bind: after)") }
        if let identity = filter.identity {
            conditions.append("""
                c.id IN (SELECT customer_id FROM identities WHERE kind = \(bind: identity.kind.rawValue) AND value = \(bind: identity.value))
                """)
        }
        if let prefix = filter.namePrefix {
            conditions.append("c.name_key LIKE \(bind: ListCursor.likePrefix(CustomerRows.nameKey(prefix))) ESCAPE '\\'")
        }
        if let since = filter.updatedSince { conditions.append("c.updated_at >= \(bind: since.microseconds)") }
        if let stage = filter.lifecycleStage { conditions.append("c.lifecycle_stage = \(bind: stage.rawValue)") }
        if let owner = filter.ownerID { conditions.append("c.owner_id = \(bind: owner)") }
        if let condition = filter.condition { conditions.append(SQLListCondition(flavor: flavor, outer: "c").sql(condition)) }
        for attribute in filter.attributes {
            switch flavor {
            case .sqlite:
                // `->` yields the member as minified JSON text, comparable with the candidates.
                conditions.append("(c.attributes -> \(bind: "$.\"\(attribute.key)\"")) IN (\(binds: attribute.candidates))")
            case .postgres:
                conditions.append("(c.attributes::jsonb -> \(bind: attribute.key)) IN (SELECT unnest(\(bind: attribute.candidates)::text[])::jsonb)")
            }
        }
        let query: SQLQueryString = "SELECT c.* FROM customers c WHERE " + conditions.joined(separator: " AND ")
            + " ORDER BY c.id LIMIT \(bind: limit + 1)"
        return try await read { database in
            let rows = try await database.raw(query).all()
            let customers = try await CustomerRows.hydrate(Array(rows.prefix(limit)), on: database)
            let next = rows.count > limit ? customers.last.map { ListCursor.encode($0.id) } : nil
            return Page(items: customers, nextCursor: next)
        }
    }

    /// The attribute keys the customers a filter selects have, in name order (an export's columns).
    public func attributeKeys(matching filter: CustomerFilter, limit: Int) async throws -> [String] {
        var conditions: [SQLQueryString] = ["deleted_at IS NULL", "merged_into IS NULL"]
        if let condition = filter.condition { conditions.append(SQLListCondition(flavor: flavor).sql(condition)) }
        // The filter runs on the customers alone, so its names cannot meet the key table's columns.
        let selected: SQLQueryString = "(SELECT attributes FROM customers WHERE " + conditions.joined(separator: " AND ") + ") c"
        let keys: SQLQueryString = flavor == .sqlite
            ? "SELECT DISTINCT k.key AS key FROM " + selected + ", json_each(c.attributes) k"
            : "SELECT DISTINCT k AS key FROM " + selected + ", jsonb_object_keys(c.attributes::jsonb) k"
        let query = keys + " ORDER BY key LIMIT \(bind: limit)"
        return try await read { try await $0.raw(query).all().map { try $0.string("key") } }
    }
}

/// Opaque list cursors: the last id of a page, base64url-encoded so clients don't build them.
public enum ListCursor {
    public static func encode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ cursor: String) throws -> String {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let key = String(data: data, encoding: .utf8), !key.isEmpty else {
            throw StoreError(.invalidReference, "cursor is not one this server issued", field: "cursor")
        }
        return key
    }

    /// The cursor of a list ordered by a number, then id (a time, a due time): `number|id`.
    public static func encode(_ number: Int64, _ id: String) -> String { encode("\(number)|\(id)") }

    /// The number and id a `encode(_:_:)` cursor holds.
    public static func decodePair(_ cursor: String) throws -> (number: Int64, id: String) {
        let parts = try decode(cursor).split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let number = Int64(parts[0]) else {
            throw StoreError(.invalidReference, "cursor is not one this server issued", field: "cursor")
        }
        return (number, String(parts[1]))
    }

    /// ` AND (time, id)` after (or, oldest first, before) the cursor's: the condition of a list
    /// ordered by a time column, then id. `time` and `id` are column names written in the query.
    static func after(_ cursor: String?, time: String, id: String, newestFirst: Bool) throws -> SQLQueryString {
        guard let cursor else { return "" }
        let (number, last) = try decodePair(cursor)
        let (timeColumn, idColumn): (SQLQueryString, SQLQueryString) = ("\(unsafeRaw: time)", "\(unsafeRaw: id)")
        return newestFirst
            ? " AND (\(timeColumn) < \(bind: number) OR (\(timeColumn) = \(bind: number) AND \(idColumn) < \(bind: last)))"
            : " AND (\(timeColumn) > \(bind: number) OR (\(timeColumn) = \(bind: number) AND \(idColumn) > \(bind: last)))"
    }

    /// A LIKE pattern matching values that start with `prefix`, with wildcards escaped.
    static func likePrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
