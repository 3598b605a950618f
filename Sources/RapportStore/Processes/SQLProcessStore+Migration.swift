import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func migrateInstance(_ id: String, toVersion version: Int64, by actor: Actor, in tx: WriteTransaction) async throws -> ProcessInstanceRecord {
        guard let row = try await tx.firstRow("\(ProcessRows.instanceColumns) WHERE id = \(bind: id)" + rowLock) else {
            throw StoreError.notFound("process instance", id)
        }
        let (before, from) = try await withDefinition(row, in: tx)
        guard let targetID = try await tx.firstRow("""
            SELECT id FROM process_definitions WHERE process_key = \(bind: before.key) AND version = \(bind: version)
            """).map({ try $0.string("id") }), let to = try await definition(id: targetID, in: tx) else {
            throw StoreError(.invalidReference, "version \(version) of process \(before.key) is not deployed", field: "version")
        }
        guard to.id != from.id else { return before }
        let state: FlowInstance
        do {
            state = try FlowMigration.migrate(before.state, from: from.process, to: to.process)
        } catch {
            throw StoreError(.conflict, "process instance \(id) cannot move from version \(from.version) to \(to.version): \(error.message)")
        }
        var after = before
        let now = tx.now()
        after.definitionID = to.id
        after.state = state
        after.updatedAt = now
        after.version += 1
        try await tx.execute("""
            UPDATE process_instances SET definition_id = \(bind: to.id), state = \(bind: state.storedJSON.jsonString),
                updated_at = \(bind: now.microseconds), version = \(bind: after.version)
            WHERE id = \(bind: id)
            """)
        if case .object(var record) = after.json(in: to) {
            record["migrated_from_version"] = .integer(from.version)
            tx.append(.change("process", "migrated", subject: after.customerID ?? after.id, record: .object(record), changedFields: [], actor: actor))
        }
        return after
    }
}
