import RapportCore
import SQLKit

extension SQLReportsStore {
    /// One aggregate, computed by one grouped query: groups and buckets in order, at most
    /// `AggregateQuery.maxRows` rows (more is refused: narrow the filter or the groups).
    public func aggregate(_ query: AggregateQuery) async throws -> [AggregateRow] {
        let conditions = SQLListCondition(flavor: flavor)
        var select: [SQLQueryString] = []
        for (index, group) in query.groups.enumerated() { select.append("\(conditions.value(of: group.path)) AS \(unsafeRaw: "g\(index)")") }
        if let bucket = query.bucket { select.append("\(bucketStart(bucket.period, bucket.path, conditions)) AS b") }
        let keyCount = select.count
        for (index, measure) in query.measures.enumerated() {
            let alias = "m\(index)"
            switch measure {
            case .count: select.append("COUNT(*) AS \(unsafeRaw: alias)")
            case .sum(_, let path): select.append("SUM(\(conditions.value(of: path))) AS \(unsafeRaw: alias)")
            case .average(_, let path): select.append("AVG(\(conditions.value(of: path))) AS \(unsafeRaw: alias)")
            case .minimum(_, let path): select.append("MIN(\(conditions.value(of: path))) AS \(unsafeRaw: alias)")
            case .maximum(_, let path): select.append("MAX(\(conditions.value(of: path))) AS \(unsafeRaw: alias)")
            }
        }
        var sql: SQLQueryString = "SELECT "
        for (index, part) in select.enumerated() { sql += (index == 0 ? "" : ", ") + part }
        switch query.source {
        case .customers: sql += " FROM customers WHERE deleted_at IS NULL AND merged_into IS NULL"
        case .interactions: sql += " FROM interactions WHERE 1 = 1"
        case .conversations: sql += " FROM conversations WHERE 1 = 1"
        case .records(let type): sql += " FROM records WHERE type_key = \(bind: type.key) AND deleted_at IS NULL"
        }
        if let condition = query.condition { sql += " AND \(conditions.sql(condition))" }
        if keyCount > 0 {
            let ordinals = (1...keyCount).map(String.init).joined(separator: ", ")
            // By position: PostgreSQL compares GROUP BY expressions by their text, and bound values differ.
            sql += " GROUP BY \(unsafeRaw: ordinals) ORDER BY \(unsafeRaw: ordinals)"
        }
        sql += " LIMIT \(bind: AggregateQuery.maxRows + 1)"
        let finalQuery = sql
        let flavor = self.flavor
        let rows = try await read { database in
            try await database.raw(finalQuery).all().map { row in try Self.decode(row, query, flavor: flavor) }
        }
        if rows.count > AggregateQuery.maxRows {
            throw StoreError(.invalidReference, "more than \(AggregateQuery.maxRows) groups: narrow the filter, the groups or the bucket",
                             field: "group_by")
        }
        return rows
    }

    /// The first day of the bucket holding the value, as `YYYY-MM-DD` text (UTC; weeks from Monday).
    private func bucketStart(_ period: TimeBucket, _ path: FilterablePath, _ conditions: SQLListCondition) -> SQLQueryString {
        let value = conditions.value(of: path)
        let isTime = path.kind == .timeColumn
        switch flavor {
        case .sqlite:
            let moment: SQLQueryString = isTime ? "\(value) / 1000000, 'unixepoch'" : value
            switch period {
            case .day: return "date(\(moment))"
            case .week: return "date(\(moment), '-6 days', 'weekday 1')"
            case .month: return "strftime('%Y-%m-01', \(moment))"
            case .year: return "strftime('%Y-01-01', \(moment))"
            }
        case .postgres:
            let moment: SQLQueryString = isTime ? "(to_timestamp(\(value) / 1000000.0) AT TIME ZONE 'UTC')" : "CAST(\(value) AS timestamp)"
            return "to_char(date_trunc(\(bind: period.rawValue), \(moment)), 'YYYY-MM-DD')"
        }
    }

    private static func decode(_ row: any SQLRow, _ query: AggregateQuery, flavor: SQLFlavor) throws -> AggregateRow {
        var group = JSONObject()
        for (index, part) in query.groups.enumerated() {
            let column = "g\(index)"
            let value: JSONValue
            switch part.path.kind {
            case .number:
                value = try row.decode(column: column, as: Double?.self).map(JSONValue.double) ?? .null
            case .boolean where flavor == .sqlite && !part.path.members.isEmpty:
                value = try row.decode(column: column, as: Int?.self).map { .bool($0 != 0) } ?? .null
            case .boolean where !part.path.members.isEmpty:
                value = try row.decode(column: column, as: String?.self).map { .bool($0 == "true") } ?? .null
            default:
                value = try row.decode(column: column, as: String?.self).map(JSONValue.string) ?? .null
            }
            group[part.name] = value
        }
        if query.bucket != nil { group["bucket"] = try row.decode(column: "b", as: String?.self).map(JSONValue.string) ?? .null }
        var values = JSONObject()
        for (index, measure) in query.measures.enumerated() {
            let column = "m\(index)"
            if case .count = measure {
                values[measure.name] = .integer(try row.decode(column: column, as: Int64.self))
            } else {
                values[measure.name] = try row.decode(column: column, as: Double?.self).map(JSONValue.double) ?? .null
            }
        }
        return AggregateRow(group: group, values: values)
    }
}
