import RapportCore
import SQLKit

extension SQLSegmentStore {
    public func createSegment(_ draft: SegmentDraft, actor: Actor, in tx: WriteTransaction) async throws -> (Segment, count: Int) {
        try await checkNameFree(draft.name, except: nil, in: tx)
        let now = tx.now()
        let segment = Segment(id: tx.newID("seg"), name: draft.name, description: draft.description, filter: draft.filter, version: 1,
                              createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO segments (id, name, description, filter, version, created_at, updated_at)
            VALUES (\(bind: segment.id), \(bind: segment.name), \(bind: segment.description), \(bind: segment.filter), 1,
                \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        try await tx.execute("""
            INSERT INTO segment_members (segment_id, customer_id, entered_at)
            SELECT \(bind: segment.id), id, \(bind: now.microseconds) FROM customers
            WHERE deleted_at IS NULL AND merged_into IS NULL AND \(SQLListCondition(flavor: flavor).sql(draft.condition))
            """)
        let count = try await count(segment.id, in: tx)
        tx.append(.change("segment", "created", subject: segment.id, record: segment.json(count: count), changedFields: [], actor: actor))
        return (segment, count)
    }

    public func changeSegment(_ id: String, _ draft: SegmentDraft, expectedVersion: Int64?, actor: Actor,
                              in tx: WriteTransaction) async throws -> (Segment, count: Int) {
        let current = try await stored(id, expectedVersion: expectedVersion, in: tx)
        var next = current
        next.name = draft.name
        next.description = draft.description
        next.filter = draft.filter
        var changed: [String] = []
        if next.name != current.name { changed.append("name") }
        if next.description != current.description { changed.append("description") }
        if next.filter != current.filter { changed.append("filter") }
        guard !changed.isEmpty else { return (current, try await count(id, in: tx)) }
        if next.name != current.name { try await checkNameFree(next.name, except: id, in: tx) }
        next.version += 1
        next.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE segments SET name = \(bind: next.name), description = \(bind: next.description), filter = \(bind: next.filter),
                version = \(bind: next.version), updated_at = \(bind: next.updatedAt.microseconds) WHERE id = \(bind: id)
            """)
        if next.filter != current.filter {
            let matching = SQLListCondition(flavor: flavor).sql(draft.condition)
            try await tx.execute("""
                DELETE FROM segment_members WHERE segment_id = \(bind: id) AND customer_id NOT IN (
                    SELECT id FROM customers WHERE deleted_at IS NULL AND merged_into IS NULL AND \(matching))
                """)
            try await tx.execute("""
                INSERT INTO segment_members (segment_id, customer_id, entered_at)
                SELECT \(bind: id), id, \(bind: next.updatedAt.microseconds) FROM customers
                WHERE deleted_at IS NULL AND merged_into IS NULL AND \(matching)
                AND id NOT IN (SELECT customer_id FROM segment_members WHERE segment_id = \(bind: id))
                """)
        }
        let count = try await count(id, in: tx)
        tx.append(.change("segment", "updated", subject: id, record: next.json(count: count), changedFields: changed, actor: actor))
        return (next, count)
    }

    public func deleteSegment(_ id: String, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws {
        let current = try await stored(id, expectedVersion: expectedVersion, in: tx)
        try await tx.execute("DELETE FROM segment_members WHERE segment_id = \(bind: id)")
        try await tx.execute("DELETE FROM segments WHERE id = \(bind: id)")
        tx.append(.change("segment", "deleted", subject: id, record: current.json(count: nil), changedFields: [], actor: actor))
    }

    func count(_ id: String, in tx: WriteTransaction) async throws -> Int {
        Int(try await tx.firstRow("SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = \(bind: id)")?.int64("n") ?? 0)
    }

    private func checkNameFree(_ name: String, except id: String?, in tx: WriteTransaction) async throws {
        if let holder = try await tx.firstRow("SELECT id FROM segments WHERE name = \(bind: name)"), try holder.string("id") != id {
            throw StoreError(.conflict, "segment \(try holder.string("id")) is already called \(name)", field: "name")
        }
    }

    private func stored(_ id: String, expectedVersion: Int64?, in tx: WriteTransaction) async throws -> Segment {
        guard let row = try await tx.firstRow("\(SegmentRows.columns) WHERE id = \(bind: id)") else { throw StoreError.notFound("segment", id) }
        let segment = try SegmentRows.decode(row)
        if let expectedVersion, expectedVersion != segment.version {
            throw StoreError(.preconditionFailed, "segment \(id) is at version \(segment.version), not \(expectedVersion)")
        }
        return segment
    }
}

enum SegmentRows {
    static let columns: SQLQueryString = "SELECT id, name, description, filter, version, created_at, updated_at FROM segments"

    static func decode(_ row: any SQLRow) throws -> Segment {
        Segment(id: try row.string("id"), name: try row.string("name"), description: try row.optionalString("description"),
                filter: try row.string("filter"), version: try row.int64("version"),
                createdAt: Timestamp(microseconds: try row.int64("created_at")), updatedAt: Timestamp(microseconds: try row.int64("updated_at")))
    }
}
