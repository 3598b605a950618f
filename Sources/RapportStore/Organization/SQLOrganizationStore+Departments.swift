import RapportCore
import SQLKit

extension SQLOrganizationStore {
    @discardableResult
    public func insertDepartment(key: String, name: String, description: String?, actor: Actor = .system,
                                 in tx: WriteTransaction) async throws -> Department {
        if try await tx.firstRow("SELECT id FROM departments WHERE key = \(bind: key)") != nil {
            throw StoreError(.conflict, "a department with key \"\(key)\" already exists", field: "key")
        }
        let department = try await DepartmentRows.insert(key: key, name: name, description: description, in: tx)
        tx.append(.change("department", "created", subject: department.id, record: department.json,
                          changedFields: ["key", "name", "description"], actor: actor))
        return department
    }

    public func updateDepartment(id: String, changes: DepartmentChanges, actor: Actor, in tx: WriteTransaction) async throws -> Department {
        guard let current = try await DepartmentRows.find(id: id, on: tx.database) else { throw StoreError.notFound("department", id) }
        var next = current
        var changed: [String] = []
        if let key = changes.key, key != current.key {
            if try await tx.firstRow("SELECT id FROM departments WHERE key = \(bind: key)") != nil {
                throw StoreError(.conflict, "a department with key \"\(key)\" already exists", field: "key")
            }
            if let type = try await recordTypeAutomating(current.key, in: tx) {
                throw StoreError(.conflict, "record type \(type) has automations naming department \(current.key); change them first", field: "key")
            }
            next.key = key
            changed.append("key")
        }
        if let name = changes.name, name != current.name { next.name = name; changed.append("name") }
        let description = changes.description.applied(to: current.description)
        if description != current.description { next.description = description; changed.append("description") }
        guard !changed.isEmpty else { return current }
        next.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE departments SET key = \(bind: next.key), name = \(bind: next.name), description = \(bind: next.description),
            updated_at = \(bind: next.updatedAt.microseconds) WHERE id = \(bind: id)
            """)
        tx.append(.change("department", "updated", subject: id, record: next.json, changedFields: changed, actor: actor))
        return next
    }

    public func deleteDepartment(id: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard let current = try await DepartmentRows.find(id: id, on: tx.database) else { throw StoreError.notFound("department", id) }
        let users = try await tx.firstRow("SELECT id FROM users WHERE department_id = \(bind: id) LIMIT 1")
        let keys = try await tx.firstRow("SELECT id FROM api_keys WHERE department_id = \(bind: id) AND revoked_at IS NULL LIMIT 1")
        if users != nil || keys != nil {
            throw StoreError(.conflict, "department \(id) still has users or API keys; move them first")
        }
        if try await tx.firstRow("SELECT id FROM queues WHERE department_id = \(bind: id) LIMIT 1") != nil {
            throw StoreError(.conflict, "department \(id) still has queues; remove them first")
        }
        // Work between departments keeps naming it: handoffs from or to it, tasks given to it,
        // notes private to it (their readers would be gone).
        let work: [(SQLQueryString, String)] = [
            ("SELECT id FROM handoffs WHERE from_department_id = \(bind: id) OR to_department_id = \(bind: id) LIMIT 1", "handoffs"),
            ("SELECT id FROM tasks WHERE assignee_kind = 'department' AND assignee_id = \(bind: id) LIMIT 1", "tasks"),
            ("SELECT id FROM notes WHERE visibility = 'department' AND department_id = \(bind: id) AND deleted_at IS NULL LIMIT 1",
             "notes private to it"),
        ]
        for (query, what) in work where try await tx.firstRow(query) != nil {
            throw StoreError(.conflict, "department \(id) still has \(what); they keep naming it")
        }
        // A record type's automations hand customers to it or from it: records would fail to save.
        if let type = try await recordTypeAutomating(current.id, current.key, in: tx) {
            throw StoreError(.conflict, "record type \(type) has automations handing customers to or from department \(id); change them first")
        }
        try await tx.execute("DELETE FROM settings WHERE key = \(bind: "business_hours/\(id)")")
        // Revoked keys keep their history but no longer name the department.
        try await tx.execute("UPDATE api_keys SET department_id = NULL WHERE department_id = \(bind: id) AND revoked_at IS NOT NULL")
        try await tx.execute("DELETE FROM departments WHERE id = \(bind: id)")
        tx.append(.change("department", "deleted", subject: id, record: current.json, changedFields: [], actor: actor))
    }
}

extension SQLOrganizationStore {
    public func departments() async throws -> [Department] {
        try await read { database in
            try await database.raw("SELECT * FROM departments ORDER BY id").all().map(DepartmentRows.decode)
        }
    }

    /// A department by id, or by key (`sales`).
    public func department(_ idOrKey: String) async throws -> Department? {
        try await read { database in
            if let found = try await DepartmentRows.find(id: idOrKey, on: database) { return found }
            return try await database.raw("SELECT * FROM departments WHERE key = \(bind: idOrKey)").first().map(DepartmentRows.decode)
        }
    }
}

enum DepartmentRows {
    /// Inserts a department without an event (the migration's seeds have none).
    @discardableResult
    static func insert(key: String, name: String, description: String?, in tx: WriteTransaction) async throws -> Department {
        let now = tx.now()
        let department = Department(id: tx.newID("dep"), key: key, name: name, description: description, createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO departments (id, key, name, description, created_at, updated_at)
            VALUES (\(bind: department.id), \(bind: key), \(bind: name), \(bind: description), \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        return department
    }

    static func find(id: String, on database: any SQLDatabase) async throws -> Department? {
        try await database.raw("SELECT * FROM departments WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> Department {
        Department(id: try row.string("id"), key: try row.string("key"), name: try row.string("name"),
                   description: try row.optionalString("description"),
                   createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}

extension SQLOrganizationStore {
    /// The first record type (by key) whose automations hand customers to or from a department
    /// named so (by id or key).
    fileprivate func recordTypeAutomating(_ names: String..., in tx: WriteTransaction) async throws -> String? {
        let types = try await tx.rows("SELECT definition FROM record_types ORDER BY key").compactMap { SQLRecordTypeStore.decode(try $0.string("definition")) }
        return types.first { type in type.automations.contains { $0.departments.contains { names.contains($0.department) } } }?.key
    }
}
