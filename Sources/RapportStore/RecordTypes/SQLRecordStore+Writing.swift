import RapportCore
import SQLKit

extension SQLRecordStore {
    public func createRecord(of type: RecordType, _ draft: RecordDraft, actor: Actor, in tx: WriteTransaction) async throws -> BusinessRecord {
        var customerID: String?
        if let asked = draft.customerID { customerID = try await store.customers.subject(customerID: asked, conversationID: nil, in: tx).customerID }
        try await checkReferences(draft.fields, of: type, keys: nil, in: tx)
        let time = tx.now()
        // Computed fields start from no records naming this new one (a count of 0, a sum of 0).
        var fields = draft.fields
        for field in type.liveFields { if let rollup = field.rollup { fields[field.key] = rollup.compute(over: [], kind: field.kind) } }
        let record = BusinessRecord(id: tx.newID("rec"), typeKey: type.key, customerID: customerID, fields: fields, stage: draft.stage,
                                    stageEnteredAt: draft.stage == nil ? nil : time, version: 1, createdAt: time, updatedAt: time)
        try await tx.execute("""
            INSERT INTO records (id, type_key, customer_id, fields, stage, stage_entered_at, version, created_at, updated_at)
            VALUES (\(bind: record.id), \(bind: type.key), \(bind: customerID), \(RecordRows.stored(record.fields, flavor)),
                \(bind: record.stage), \(bind: record.stageEnteredAt?.microseconds), 1, \(bind: time.microseconds), \(bind: time.microseconds))
            """)
        if let stage = record.stage { try await RecordStageHistory.enter(stage, record: record.id, at: time, actor: actor, in: tx) }
        try await claimUniqueValues(of: record, type: type, keys: nil, in: tx)
        tx.append(.change("record", "created", subject: customerID ?? record.id, record: record.json, changedFields: [], actor: actor))
        try await runAutomations(of: type, before: nil, after: record, in: tx)
        try await updateRollups(fedBy: type, before: nil, after: record, in: tx)
        return record
    }

    public func changeRecord(_ id: String, of type: RecordType, _ changes: RecordChanges, expectedVersion: Int64?, context: FieldValueContext,
                             actor: Actor, in tx: WriteTransaction) async throws -> BusinessRecord {
        let before = try await storedRecord(id, type: type, in: tx)
        if let expectedVersion, expectedVersion != before.version {
            throw StoreError(.preconditionFailed, "record \(id) is at version \(before.version), not \(expectedVersion)")
        }
        var record = before
        do { (record.fields, record.stage) = try changes.applied(to: before.fields, stage: before.stage, type: type, context: context) } catch {
            throw StoreError(.invalidReference, error.issues.map(\.description).joined(separator: "; "), field: error.issues.first?.field)
        }
        switch changes.customerID {
        case .unchanged: break
        case .clear: record.customerID = nil
        case .set(let customer): record.customerID = try await store.customers.subject(customerID: customer, conversationID: nil, in: tx).customerID
        }
        let changedKeys = Set(record.fields.keys).union(before.fields.keys).filter { record.fields[$0] != before.fields[$0] }
        var changed = changedKeys.sorted().map { "fields.\($0)" }
        if record.customerID != before.customerID { changed.insert("customer_id", at: 0) }
        if record.stage != before.stage { changed.insert("stage", at: 0) }
        guard !changed.isEmpty else { return before }
        try await checkReferences(record.fields, of: type, keys: changedKeys, in: tx)
        try await claimUniqueValues(of: record, type: type, keys: changedKeys, in: tx)
        record.version += 1
        record.updatedAt = tx.now()
        if record.stage != before.stage, let stage = record.stage {
            record.stageEnteredAt = record.updatedAt
            try await RecordStageHistory.leave(record: id, at: record.updatedAt, in: tx)
            try await RecordStageHistory.enter(stage, record: id, at: record.updatedAt, actor: actor, in: tx)
        }
        try await tx.execute("""
            UPDATE records SET customer_id = \(bind: record.customerID), fields = \(RecordRows.stored(record.fields, flavor)),
                stage = \(bind: record.stage), stage_entered_at = \(bind: record.stageEnteredAt?.microseconds),
                version = \(bind: record.version), updated_at = \(bind: record.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        var event = EventDraft.change("record", "updated", subject: record.customerID ?? record.id, record: record.json,
                                      changedFields: changed, actor: actor)
        if record.customerID != before.customerID, let previous = before.customerID, var data = event.data.objectValue {
            // The customer it left is changed too (a segment over records may lose it).
            data["previous_customer_id"] = .string(previous)
            event.data = .object(data)
        }
        tx.append(event)
        try await runAutomations(of: type, before: before, after: record, in: tx)
        try await updateRollups(fedBy: type, before: before, after: record, in: tx)
        return record
    }

    public func deleteRecord(_ id: String, of type: RecordType, expectedVersion: Int64?, actor: Actor, in tx: WriteTransaction) async throws {
        var record = try await storedRecord(id, type: type, in: tx)
        if let expectedVersion, expectedVersion != record.version {
            throw StoreError(.preconditionFailed, "record \(id) is at version \(record.version), not \(expectedVersion)")
        }
        let time = tx.now()
        try await tx.execute("DELETE FROM record_unique_values WHERE record_id = \(bind: id)")
        try await tx.execute("""
            UPDATE records SET deleted_at = \(bind: time.microseconds), version = version + 1, updated_at = \(bind: time.microseconds)
            WHERE id = \(bind: id)
            """)
        record.version += 1
        record.updatedAt = time
        tx.append(.change("record", "deleted", subject: record.customerID ?? record.id, record: record.json, changedFields: [], actor: actor))
        try await updateRollups(fedBy: type, before: record, after: nil, in: tx)
    }

    private func storedRecord(_ id: String, type: RecordType, in tx: WriteTransaction) async throws -> BusinessRecord {
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.firstRow("""
            \(RecordRows.columns(flavor)) WHERE id = \(bind: id) AND type_key = \(bind: type.key) AND deleted_at IS NULL
            """ + lock) else {
            throw StoreError.notFound(type.label.lowercased(), id)
        }
        return try RecordRows.decode(row)
    }

    /// Every reference among `keys` (all fields when nil) names something that exists: a customer
    /// (or one merged into another), a user, a department, a live record of the target type.
    private func checkReferences(_ fields: JSONObject, of type: RecordType, keys: Set<String>?, in tx: WriteTransaction) async throws {
        for field in type.liveFields where field.kind.refers && (keys?.contains(field.key) ?? true) {
            guard let value = fields[field.key], let target = field.target else { continue }
            let ids = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
            guard !ids.isEmpty else { continue }
            let query: SQLQueryString = switch target {
            case .customer: "SELECT id FROM customers WHERE id IN (\(binds: ids)) AND (deleted_at IS NULL OR merged_into IS NOT NULL)"
            case .user: "SELECT id FROM users WHERE id IN (\(binds: ids))"
            case .department: "SELECT id FROM departments WHERE id IN (\(binds: ids))"
            case .record(let key): "SELECT id FROM records WHERE id IN (\(binds: ids)) AND type_key = \(bind: key) AND deleted_at IS NULL"
            }
            let found = Set(try await tx.rows(query).map { try $0.string("id") })
            if let missing = ids.first(where: { !found.contains($0) }) {
                throw StoreError(.invalidReference, "\(target.name) \(missing) does not exist", field: "fields.\(field.key)")
            }
        }
    }

    /// Holds the record's values of its unique fields among `keys` (all when nil), freeing what
    /// it held before; 409 naming the field when another record holds the value.
    private func claimUniqueValues(of record: BusinessRecord, type: RecordType, keys: Set<String>?, in tx: WriteTransaction) async throws {
        for field in type.liveFields where field.unique && (keys?.contains(field.key) ?? true) {
            if keys != nil {
                try await tx.execute("""
                    DELETE FROM record_unique_values WHERE record_id = \(bind: record.id) AND field_key = \(bind: field.key)
                    """)
            }
            guard let value = record.fields[field.key], !value.isNull else { continue }
            let text = value.jsonString
            if let holder = try await tx.firstRow("""
                SELECT record_id FROM record_unique_values
                WHERE type_key = \(bind: type.key) AND field_key = \(bind: field.key) AND value = \(bind: text)
                """) {
                throw StoreError(.conflict, "\(field.label) \(text) is already on \(try holder.string("record_id"))", field: "fields.\(field.key)")
            }
            try await tx.execute("""
                INSERT INTO record_unique_values (type_key, field_key, value, record_id)
                VALUES (\(bind: type.key), \(bind: field.key), \(bind: text), \(bind: record.id))
                """)
        }
    }
}
