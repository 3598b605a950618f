import Foundation
import RapportCore
import SQLKit

extension SQLRecordStore {
    public func record(_ id: String, of type: RecordType) async throws -> BusinessRecord? {
        let found = try await read {
            try await $0.raw("\(RecordRows.columns(flavor)) WHERE id = \(bind: id) AND type_key = \(bind: type.key) AND deleted_at IS NULL")
                .first().map(RecordRows.decode)
        }
        guard let found else { return nil }
        return try await followingMerges([found], type: type).first
    }

    public func records(_ query: RecordQuery, limit: Int, cursor: String?) async throws -> Page<BusinessRecord> {
        let conditions = SQLListCondition(flavor: flavor)
        let sort = query.sort
        let sortValue = conditions.value(of: sort.path)
        var sql: SQLQueryString = "\(RecordRows.columns(flavor)) WHERE type_key = \(bind: query.type.key) AND deleted_at IS NULL"
        if let customerID = query.customerID { sql += " AND customer_id = \(bind: customerID)" }
        if let condition = query.condition { sql += " AND \(conditions.sql(condition))" }
        if let cursor {
            let (value, last) = try Self.decodeCursor(cursor)
            let after: SQLQueryString = sort.descending ? "<" : ">"
            if value.isNull {
                sql += " AND (\(sortValue) IS NULL AND id \(after) \(bind: last))"
            } else {
                let bound = conditions.bound(value, for: sort.path)
                sql += """
                     AND (\(sortValue) \(after) \(bound) OR (\(sortValue) = \(bound) AND id \(after) \(bind: last)) OR \(sortValue) IS NULL)
                    """
            }
        }
        let direction: SQLQueryString = sort.descending ? "DESC" : "ASC"
        sql += " ORDER BY \(sortValue) \(direction) NULLS LAST, id \(direction) LIMIT \(bind: limit + 1)"
        let finalQuery = sql
        let rows = try await read { try await $0.raw(finalQuery).all().map(RecordRows.decode) }
        let items = try await followingMerges(Array(rows.prefix(limit)), type: query.type)
        let next = rows.count > limit ? items.last.map { Self.cursor(after: $0, sort: sort) } : nil
        return Page(items: items, nextCursor: next)
    }

    public func records(customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<BusinessRecord> {
        var sql: SQLQueryString = "\(RecordRows.columns(flavor)) WHERE customer_id = \(bind: customerID) AND deleted_at IS NULL"
        sql += try ListCursor.after(cursor, time: "created_at", id: "id", newestFirst: newestFirst)
        sql += newestFirst ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id"
        sql += " LIMIT \(bind: limit + 1)"
        let finalQuery = sql
        let rows = try await read { try await $0.raw(finalQuery).all().map(RecordRows.decode) }
        var items = Array(rows.prefix(limit))
        let types = Dictionary(try await store.recordTypes.recordTypes().map { ($0.key, $0) }) { first, _ in first }
        for key in Set(items.map(\.typeKey)) {
            guard let type = types[key] else { continue }
            let followed = try await followingMerges(items.filter { $0.typeKey == key }, type: type)
            let byID = Dictionary(followed.map { ($0.id, $0) }) { first, _ in first }
            items = items.map { byID[$0.id] ?? $0 }
        }
        let next = rows.count > limit ? items.last.map { ListCursor.encode($0.createdAt.microseconds, $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }

    public func stageHistory(of id: String) async throws -> [RecordStageVisit] {
        try await read { database in
            try await database.raw("""
                SELECT stage, entered_at, left_at, actor FROM record_stage_history WHERE record_id = \(bind: id) ORDER BY entered_at, id
                """).all().map(RecordStageHistory.decode)
        }
    }

    /// The records with every customer reference naming the survivor of the merge that absorbed it
    /// (undoing the merge shows the original again: nothing stored is rewritten).
    private func followingMerges(_ records: [BusinessRecord], type: RecordType) async throws -> [BusinessRecord] {
        let fields = type.fields.filter { $0.kind.refers && $0.target == .customer }
        guard !fields.isEmpty else { return records }
        var ids = Set<String>()
        for record in records {
            for field in fields {
                guard let value = record.fields[field.key] else { continue }
                ids.formUnion(value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? [])
            }
        }
        guard !ids.isEmpty else { return records }
        let sorted = ids.sorted()
        let survivors = try await read { database in
            var map: [String: String] = [:]
            for row in try await database.raw("SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL AND id IN (\(binds: sorted))").all() {
                map[try row.string("id")] = try row.string("merged_into")
            }
            return map
        }
        guard !survivors.isEmpty else { return records }
        func survivor(_ id: String) -> String {
            var current = id
            var hops = 0
            while let next = survivors[current], hops < 16 { current = next; hops += 1 }
            return current
        }
        return records.map { record in
            var record = record
            for field in fields {
                switch record.fields[field.key] {
                case .string(let id)?: record.fields[field.key] = .string(survivor(id))
                case .array(let items)?:
                    var seen = Set<String>()
                    record.fields[field.key] = .array(items.compactMap(\.stringValue).map(survivor).filter { seen.insert($0).inserted }.map(JSONValue.string))
                default: break
                }
            }
            return record
        }
    }

    /// `[sort value, id]` of the page's last record.
    static func cursor(after record: BusinessRecord, sort: RecordSort) -> String {
        ListCursor.encode(JSONValue.array([sortValue(of: record, sort.path), .string(record.id)]).jsonString)
    }

    static func decodeCursor(_ cursor: String) throws -> (JSONValue, String) {
        guard let items = (try? JSONParser.parse(try ListCursor.decode(cursor)))?.arrayValue, items.count == 2,
              let id = items[1].stringValue, !items[0].isArrayOrObject else {
            throw StoreError(.invalidReference, "cursor is not one this server issued", field: "cursor")
        }
        return (items[0], id)
    }

    /// The record's value on the sort's path in the form the query compares it.
    static func sortValue(of record: BusinessRecord, _ path: FilterablePath) -> JSONValue {
        switch path.column {
        case "created_at": return .integer(record.createdAt.microseconds)
        case "updated_at": return .integer(record.updatedAt.microseconds)
        default: break
        }
        var value: JSONValue? = .object(record.fields)
        for member in path.members { value = value?.objectValue?[member] }
        guard let value, !value.isNull else { return .null }
        switch (path.kind, value) {
        case (.number, .string(let text)): return Double(text).map(JSONValue.double) ?? .null
        case (.number, .integer(let number)): return .double(Double(number))
        default: return value
        }
    }
}

extension JSONValue {
    fileprivate var isArrayOrObject: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
