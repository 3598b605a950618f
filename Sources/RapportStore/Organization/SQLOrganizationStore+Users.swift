import RapportCore
import SQLKit

extension SQLOrganizationStore {
    public func insertUser(_ changes: UserChanges, actor: Actor, in tx: WriteTransaction) async throws -> User {
        guard let email = changes.email, let name = changes.name, let role = changes.role else {
            throw StoreError(.invalidReference, "email, name and role are required")
        }
        try await checkUserEmailFree(email, except: nil, in: tx)
        let departmentID = changes.departmentID.applied(to: nil)
        try await checkDepartmentExists(departmentID, in: tx)
        let now = tx.now()
        let user = User(id: tx.newID("usr"), email: email, name: name, role: role, departmentID: departmentID,
                        active: changes.active ?? true, createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO users (id, email, name, role, department_id, active, created_at, updated_at)
            VALUES (\(bind: user.id), \(bind: email), \(bind: name), \(bind: role.rawValue), \(bind: departmentID),
                    \(bind: user.active ? 1 : 0), \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        tx.append(.change("user", "created", subject: user.id, record: user.json,
                       changedFields: ["email", "name", "role", "department_id", "active"], actor: actor))
        return user
    }

    public func updateUser(id: String, changes: UserChanges, actor: Actor, in tx: WriteTransaction) async throws -> User {
        guard let current = try await UserRows.find(id: id, on: tx.database) else { throw StoreError.notFound("user", id) }
        var next = current
        var changed: [String] = []
        if let email = changes.email, email != current.email {
            try await checkUserEmailFree(email, except: id, in: tx)
            next.email = email
            changed.append("email")
        }
        if let name = changes.name, name != current.name { next.name = name; changed.append("name") }
        if let role = changes.role, role != current.role { next.role = role; changed.append("role") }
        let department = changes.departmentID.applied(to: current.departmentID)
        if department != current.departmentID {
            try await checkDepartmentExists(department, in: tx)
            next.departmentID = department
            changed.append("department_id")
        }
        if let active = changes.active, active != current.active { next.active = active; changed.append("active") }
        guard !changed.isEmpty else { return current }
        next.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE users SET email = \(bind: next.email), name = \(bind: next.name), role = \(bind: next.role.rawValue),
            department_id = \(bind: next.departmentID), active = \(bind: next.active ? 1 : 0),
            updated_at = \(bind: next.updatedAt.microseconds) WHERE id = \(bind: id)
            """)
        tx.append(.change("user", "updated", subject: id, record: next.json, changedFields: changed, actor: actor))
        return next
    }

    private func checkUserEmailFree(_ email: String, except id: String?, in tx: WriteTransaction) async throws {
        if let row = try await tx.firstRow("SELECT id FROM users WHERE email = \(bind: email)"),
           try row.string("id") != id {
            throw StoreError(.conflict, "a user with email \(email) already exists", field: "email", holderID: try row.string("id"))
        }
    }

    func checkDepartmentExists(_ id: String?, field: String = "department_id", in tx: WriteTransaction) async throws {
        guard let id else { return }
        if try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: id)") == nil {
            throw StoreError(.invalidReference, "department \(id) does not exist", field: field)
        }
    }
}

extension SQLOrganizationStore {
    public func users() async throws -> [User] {
        try await read { database in
            try await database.raw("SELECT * FROM users ORDER BY id").all().map(UserRows.decode)
        }
    }

    public func user(_ id: String) async throws -> User? {
        try await read { try await UserRows.find(id: id, on: $0) }
    }
}

enum UserRows {
    static func find(id: String, on database: any SQLDatabase) async throws -> User? {
        try await database.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> User {
        User(id: try row.string("id"), email: try row.string("email"), name: try row.string("name"),
             role: try storedEnum(try row.string("role")), departmentID: try row.optionalString("department_id"),
             active: try row.int64("active") != 0,
             createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
