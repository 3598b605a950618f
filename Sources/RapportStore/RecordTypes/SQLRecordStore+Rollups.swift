import RapportCore
import SQLKit

extension SQLRecordStore {
    /// Recomputes the rolled-up fields of the records that `before` and `after` (a record of `type`,
    /// before and after a write; nil when created or deleted) name through the fields summed up.
    func updateRollups(fedBy type: RecordType, before: BusinessRecord?, after: BusinessRecord?, in tx: WriteTransaction) async throws {
        for (parentType, fields) in try await rollupsFed(by: type.key, in: tx) {
            var parents: Set<String> = []
            for field in fields {
                guard let via = field.rollup?.via else { continue }
                for record in [before, after] { if let id = record?.fields[via]?.stringValue { parents.insert(id) } }
            }
            for id in parents.sorted() { try await recomputeRollups(of: id, type: parentType, fields: fields, in: tx) }
        }
    }

    /// Every rolled-up field of every record of `type` computed again (when the type's definition
    /// changed them).
    func recomputeAllRollups(of type: RecordType, in tx: WriteTransaction) async throws {
        let fields = type.liveFields.filter { $0.rollup != nil }
        guard !fields.isEmpty else { return }
        let ids = try await tx.rows("SELECT id FROM records WHERE type_key = \(bind: type.key) AND deleted_at IS NULL ORDER BY id")
            .map { try $0.string("id") }
        for id in ids { try await recomputeRollups(of: id, type: type, fields: fields, in: tx) }
    }

    /// The types with fields rolled up from records of `key`, with those fields.
    /// Every record write asks this: only definitions that hold a computed field are read and decoded.
    private func rollupsFed(by key: String, in tx: WriteTransaction) async throws -> [(RecordType, [FieldDefinition])] {
        try await store.recordTypes.recordTypes(withComputedFieldsIn: tx).compactMap { type in
            let fields = type.liveFields.filter { $0.rollup?.from == key }
            return fields.isEmpty ? nil : (type, fields)
        }
    }

    /// Computes the fields again and stores them when they changed, announced as an update and
    /// seen by the type's automations; returns the record as it now stands.
    @discardableResult
    private func recomputeRollups(of id: String, type: RecordType, fields: [FieldDefinition], in tx: WriteTransaction) async throws -> BusinessRecord? {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("""
            \(RecordRows.columns(flavor)) WHERE id = \(bind: id) AND type_key = \(bind: type.key) AND deleted_at IS NULL
            """ + lock) else { return nil }
        let before = try RecordRows.decode(row)
        var record = before
        var changed: [String] = []
        // Fields summing up the same records through the same reference read them once.
        var read: [String: [BusinessRecord]] = [:]
        for field in fields {
            guard let rollup = field.rollup else { continue }
            let source = "\(rollup.from).\(rollup.via)"
            if read[source] == nil {
                let naming = SQLListCondition(flavor: flavor).sql(.compare(FilterablePath(column: "fields", members: [rollup.via], kind: .text), .equal, .string(id)))
                read[source] = try await tx.rows("""
                    \(RecordRows.columns(flavor)) WHERE type_key = \(bind: rollup.from) AND deleted_at IS NULL AND \(naming)
                    """).map(RecordRows.decode)
            }
            let value = rollup.compute(over: (read[source] ?? []).filter(rollup.includes).map(\.fields), kind: field.kind)
            if record.fields[field.key] != value {
                record.fields[field.key] = value
                changed.append("fields.\(field.key)")
            }
        }
        guard !changed.isEmpty else { return record }
        record.version += 1
        record.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE records SET fields = \(RecordRows.stored(record.fields, flavor)), version = \(bind: record.version),
                updated_at = \(bind: record.updatedAt.microseconds) WHERE id = \(bind: id)
            """)
        tx.append(.change("record", "updated", subject: record.customerID ?? record.id, record: record.json, changedFields: changed, actor: .system))
        // A computed field's change is the record's change: its automations look at it as at any other.
        try await runAutomations(of: type, before: before, after: record, in: tx)
        return record
    }
}
