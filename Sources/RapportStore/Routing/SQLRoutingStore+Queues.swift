import RapportCore
import SQLKit

extension SQLRoutingStore {
    /// Creates a queue in a department (by id or key); members must be users.
    public func insertQueue(department: String, changes: QueueChanges, actor: Actor,
                            in tx: WriteTransaction) async throws -> ConversationQueue {
        guard let departmentID = try await departmentID(for: department, in: tx) else {
            throw StoreError(.invalidReference, "department \(department) does not exist", field: "department_id")
        }
        let key = changes.key ?? ""
        if try await tx.firstRow("SELECT id FROM queues WHERE department_id = \(bind: departmentID) AND key = \(bind: key)") != nil {
            throw StoreError(.conflict, "the department already has a queue with key \"\(key)\"", field: "key")
        }
        let now = tx.now()
        let queue = ConversationQueue(id: tx.newID("que"), departmentID: departmentID, key: key, name: changes.name ?? key,
                                      strategy: changes.strategy ?? .leastOpen, weights: changes.weights ?? [:],
                                      memberIDs: changes.memberIDs ?? [], createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO queues (id, department_id, key, name, strategy, weights, created_at, updated_at)
            VALUES (\(bind: queue.id), \(bind: departmentID), \(bind: key), \(bind: queue.name), \(bind: queue.strategy.rawValue),
                \(bind: QueueRows.weightsText(queue.weights)), \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        try await replaceMembers(of: queue.id, with: queue.memberIDs, in: tx)
        tx.append(.change("queue", "created", subject: queue.id, record: queue.json, changedFields: ["key", "name", "strategy", "member_ids"], actor: actor))
        return queue
    }

    public func updateQueue(id: String, changes: QueueChanges, actor: Actor, in tx: WriteTransaction) async throws -> ConversationQueue {
        guard var queue = try await QueueRows.find(id: id, on: tx.database) else { throw StoreError.notFound("queue", id) }
        let before = queue
        if let key = changes.key, key != queue.key {
            if try await tx.firstRow("SELECT id FROM queues WHERE department_id = \(bind: queue.departmentID) AND key = \(bind: key)") != nil {
                throw StoreError(.conflict, "the department already has a queue with key \"\(key)\"", field: "key")
            }
            queue.key = key
        }
        if let name = changes.name { queue.name = name }
        if let strategy = changes.strategy { queue.strategy = strategy }
        if let weights = changes.weights { queue.weights = weights }
        if let members = changes.memberIDs { queue.memberIDs = members }
        guard queue != before else { return queue }
        queue.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE queues SET key = \(bind: queue.key), name = \(bind: queue.name), strategy = \(bind: queue.strategy.rawValue),
                weights = \(bind: QueueRows.weightsText(queue.weights)), updated_at = \(bind: queue.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        if queue.memberIDs != before.memberIDs { try await replaceMembers(of: id, with: queue.memberIDs, in: tx) }
        tx.append(.change("queue", "updated", subject: id, record: queue.json, changedFields: [], actor: actor))
        if queue.memberIDs != before.memberIDs { try await drain(queueIDs: [id], actor: actor, in: tx) }
        return queue
    }

    private func replaceMembers(of queueID: String, with members: [String], in tx: WriteTransaction) async throws {
        try await tx.execute("DELETE FROM queue_members WHERE queue_id = \(bind: queueID)")
        for (position, userID) in members.enumerated() {
            guard try await tx.firstRow("SELECT id FROM users WHERE id = \(bind: userID)") != nil else {
                throw StoreError(.invalidReference, "user \(userID) does not exist", field: "member_ids[\(position)]")
            }
            try await tx.execute("""
                INSERT INTO queue_members (queue_id, user_id, position) VALUES (\(bind: queueID), \(bind: userID), \(bind: Int64(position)))
                """)
        }
    }

    /// The id of a department given by id or key.
    func departmentID(for idOrKey: String, in tx: WriteTransaction) async throws -> String? {
        try await tx.firstRow("SELECT id FROM departments WHERE id = \(bind: idOrKey) OR key = \(bind: idOrKey)")?.string("id")
    }

    /// The queue given by id, or by key within `departmentID`.
    func queue(_ idOrKey: String, in departmentID: String?, in tx: WriteTransaction) async throws -> ConversationQueue? {
        if let found = try await QueueRows.find(id: idOrKey, on: tx.database) { return found }
        guard let departmentID,
              let row = try await tx.firstRow("SELECT id FROM queues WHERE department_id = \(bind: departmentID) AND key = \(bind: idOrKey)")
        else { return nil }
        return try await QueueRows.find(id: try row.string("id"), on: tx.database)
    }
}

extension SQLRoutingStore {
    public func queues(departmentID: String? = nil) async throws -> [ConversationQueue] {
        try await read { database in
            let query: SQLQueryString = departmentID.map { "SELECT id FROM queues WHERE department_id = \(bind: $0) ORDER BY id" }
                ?? "SELECT id FROM queues ORDER BY id"
            var queues: [ConversationQueue] = []
            for row in try await database.raw(query).all() {
                if let queue = try await QueueRows.find(id: try row.string("id"), on: database) { queues.append(queue) }
            }
            return queues
        }
    }

    public func queue(_ id: String) async throws -> ConversationQueue? {
        try await read { try await QueueRows.find(id: id, on: $0) }
    }
}

enum QueueRows {
    static func find(id: String, on database: any SQLDatabase) async throws -> ConversationQueue? {
        guard let row = try await database.raw("SELECT * FROM queues WHERE id = \(bind: id)").first() else { return nil }
        let members = try await database.raw("SELECT user_id FROM queue_members WHERE queue_id = \(bind: id) ORDER BY position")
            .all().map { try $0.string("user_id") }
        var weights: [String: Double] = [:]
        for (kind, value) in (try? JSONParser.parse(try row.string("weights")))?.objectValue ?? JSONObject() {
            if let number = value.doubleValue { weights[kind] = number }
        }
        return ConversationQueue(
            id: try row.string("id"), departmentID: try row.string("department_id"), key: try row.string("key"),
            name: try row.string("name"), strategy: try storedEnum(try row.string("strategy")), weights: weights,
            memberIDs: members, createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }

    static func weightsText(_ weights: [String: Double]) -> String {
        var object = JSONObject()
        for (kind, weight) in weights.sorted(by: { $0.key < $1.key }) { object[kind] = .double(weight) }
        return JSONValue.object(object).jsonString
    }
}
