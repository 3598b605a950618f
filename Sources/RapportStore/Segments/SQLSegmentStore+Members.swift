import RapportCore
import SQLKit

extension SQLSegmentStore {
    public func segments() async throws -> [Segment] {
        try await read { try await $0.raw("\(SegmentRows.columns) ORDER BY name, id").all().map(SegmentRows.decode) }
    }

    public func segment(_ id: String) async throws -> Segment? {
        try await read { try await $0.raw("\(SegmentRows.columns) WHERE id = \(bind: id)").first().map(SegmentRows.decode) }
    }

    public func memberCount(of id: String) async throws -> Int {
        try await read { database in
            Int(try await database.raw("SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = \(bind: id)").first()?.int64("n") ?? 0)
        }
    }

    public func evaluatedCount(of segment: Segment) async throws -> Int {
        guard let condition = segment.condition(recordTypes: try await recordTypes(askedBy: [segment])) else { return 0 }
        let matching = SQLListCondition(flavor: flavor).sql(condition)
        return try await read { database in
            Int(try await database.raw("""
                SELECT COUNT(*) AS n FROM customers WHERE deleted_at IS NULL AND merged_into IS NULL AND \(matching)
                """).first()?.int64("n") ?? 0)
        }
    }

    public func members(of id: String, limit: Int, cursor: String?) async throws -> Page<SegmentMember> {
        var sql: SQLQueryString = """
            SELECT m.customer_id, m.entered_at, c.name FROM segment_members m JOIN customers c ON c.id = m.customer_id
            WHERE m.segment_id = \(bind: id)
            """
        if let cursor { sql += " AND m.customer_id > \(bind: try ListCursor.decode(cursor))" }
        sql += " ORDER BY m.customer_id LIMIT \(bind: limit + 1)"
        let query = sql
        let rows = try await read { database in
            try await database.raw(query).all().map { row in
                SegmentMember(customerID: try row.string("customer_id"), name: try row.string("name"),
                              enteredAt: Timestamp(microseconds: try row.int64("entered_at")))
            }
        }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.customerID) } : nil)
    }

    public func reconcile(customerIDs: [String], in tx: WriteTransaction) async throws -> (entered: Int, left: Int) {
        guard !customerIDs.isEmpty else { return (0, 0) }
        let segments = try await tx.rows("\(SegmentRows.columns) ORDER BY id").map(SegmentRows.decode)
        guard !segments.isEmpty else { return (0, 0) }
        let conditions = SQLListCondition(flavor: flavor)
        let now = tx.now()
        var totals = (entered: 0, left: 0)
        let types = try await recordTypes(askedBy: segments)
        for segment in segments {
            guard let condition = segment.condition(recordTypes: types) else { continue }
            let matching = Set(try await tx.rows("""
                SELECT id FROM customers WHERE id IN (\(binds: customerIDs)) AND deleted_at IS NULL AND merged_into IS NULL
                AND \(conditions.sql(condition))
                """).map { try $0.string("id") })
            let members = Set(try await tx.rows("""
                SELECT customer_id FROM segment_members WHERE segment_id = \(bind: segment.id) AND customer_id IN (\(binds: customerIDs))
                """).map { try $0.string("customer_id") })
            let entered = matching.subtracting(members).sorted()
            let left = members.subtracting(matching).sorted()
            if !entered.isEmpty {
                var insert: SQLQueryString = "INSERT INTO segment_members (segment_id, customer_id, entered_at) VALUES "
                for (index, customer) in entered.enumerated() {
                    insert += "\(unsafeRaw: index == 0 ? "" : ", ")(\(bind: segment.id), \(bind: customer), \(bind: now.microseconds))"
                }
                try await tx.execute(insert)
            }
            if !left.isEmpty {
                try await tx.execute("DELETE FROM segment_members WHERE segment_id = \(bind: segment.id) AND customer_id IN (\(binds: left))")
            }
            for (change, customers) in [("entered", entered), ("left", left)] {
                for customer in customers {
                    let data: JSONValue = ["segment_id": .string(segment.id), "segment_name": .string(segment.name), "customer_id": .string(customer)]
                    tx.append(.change("segment", change, subject: customer, record: data, changedFields: [], actor: .system))
                }
            }
            totals.entered += entered.count
            totals.left += left.count
        }
        return totals
    }

    /// The record types the segments' filters may ask about: none read when no filter names
    /// `records.` (the monitor runs this for every window of changes).
    func recordTypes(askedBy segments: [Segment]) async throws -> [RecordType] {
        guard segments.contains(where: { $0.filter.contains("records.") }) else { return [] }
        return try await store.recordTypes.recordTypes()
    }
}
