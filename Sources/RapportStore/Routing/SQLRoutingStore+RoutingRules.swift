import RapportCore
import SQLKit

extension SQLRoutingStore {
    /// Stores a new rule at version 1; without a position it goes after the trigger's last rule
    /// (at most at `RoutingRuleDraft.maxPosition`).
    public func insertRoutingRule(_ draft: RoutingRuleDraft, actor: Actor, in tx: WriteTransaction) async throws -> RoutingRule {
        let now = tx.now()
        let position: Int64
        if let given = draft.position {
            position = given
        } else {
            let last = try await tx.firstRow("""
                SELECT COALESCE(MAX(position), 0) AS p FROM routing_rules WHERE trigger = \(bind: draft.trigger.rawValue) AND deleted_at IS NULL
                """)?.int64("p") ?? 0
            // Never past the largest position a rule can be read back with (ties go by id).
            position = min(last + 10, RoutingRuleDraft.maxPosition)
        }
        let rule = RoutingRule(id: tx.newID("rul"), name: draft.name, trigger: draft.trigger, position: position, enabled: draft.enabled,
                               stop: draft.stop, conditions: draft.conditions, actions: draft.actions, version: 1,
                               createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO routing_rules (id, trigger, position, version, definition, created_at, updated_at)
            VALUES (\(bind: rule.id), \(bind: rule.trigger.rawValue), \(bind: position), 1, \(bind: rule.definition.jsonString),
                \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        try await storeVersion(of: rule, actor: actor, in: tx)
        tx.append(.change("routing_rule", "created", subject: rule.id, record: rule.json, changedFields: [], actor: actor))
        return rule
    }

    /// Replaces a rule's definition as its next version; the previous versions stay readable.
    public func replaceRoutingRule(id: String, with draft: RoutingRuleDraft, expectedVersion: Int64?, actor: Actor,
                                   in tx: WriteTransaction) async throws -> RoutingRule {
        guard let current = try await RoutingRuleRows.find(id: id, on: tx.database) else { throw StoreError.notFound("routing rule", id) }
        if let expectedVersion, expectedVersion != current.version {
            throw StoreError(.preconditionFailed, "rule \(id) is at version \(current.version), not \(expectedVersion)")
        }
        var next = current
        next.name = draft.name
        next.trigger = draft.trigger
        next.position = draft.position ?? current.position
        next.enabled = draft.enabled
        next.stop = draft.stop
        next.conditions = draft.conditions
        next.actions = draft.actions
        guard next.definition != current.definition else { return current }
        next.version = current.version + 1
        next.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE routing_rules SET trigger = \(bind: next.trigger.rawValue), position = \(bind: next.position), version = \(bind: next.version),
                definition = \(bind: next.definition.jsonString), updated_at = \(bind: next.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        try await storeVersion(of: next, actor: actor, in: tx)
        tx.append(.change("routing_rule", "updated", subject: id, record: next.json, changedFields: [], actor: actor))
        return next
    }

    /// Retires a rule; its versions and the decisions that name it stay.
    public func deleteRoutingRule(id: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard let current = try await RoutingRuleRows.find(id: id, on: tx.database) else { throw StoreError.notFound("routing rule", id) }
        try await tx.execute("UPDATE routing_rules SET deleted_at = \(bind: tx.now().microseconds) WHERE id = \(bind: id)")
        tx.append(.change("routing_rule", "deleted", subject: id, record: current.json, changedFields: [], actor: actor))
    }

    private func storeVersion(of rule: RoutingRule, actor: Actor, in tx: WriteTransaction) async throws {
        try await tx.execute("""
            INSERT INTO routing_rule_versions (rule_id, version, definition, actor, created_at)
            VALUES (\(bind: rule.id), \(bind: rule.version), \(bind: rule.definition.jsonString), \(bind: actor.json.jsonString),
                \(bind: rule.updatedAt.microseconds))
            """)
    }
}

extension SQLRoutingStore {
    /// Every current rule, by trigger and position.
    public func routingRules() async throws -> [RoutingRule] {
        try await read { database in
            try await database.raw("SELECT * FROM routing_rules WHERE deleted_at IS NULL ORDER BY trigger, position, id")
                .all().map(RoutingRuleRows.decode)
        }
    }

    public func routingRule(_ id: String) async throws -> RoutingRule? {
        try await read { try await RoutingRuleRows.find(id: id, on: $0) }
    }

    /// Every stored version of a rule, oldest first: `version`, `definition`, `actor`, `created_at`;
    /// none once the rule is deleted (its history is kept, but no longer served).
    public func routingRuleVersions(_ id: String) async throws -> [JSONValue] {
        try await read { database in
            try await database.raw("""
                SELECT v.* FROM routing_rule_versions v JOIN routing_rules r ON r.id = v.rule_id
                WHERE v.rule_id = \(bind: id) AND r.deleted_at IS NULL ORDER BY v.version
                """).all().map { row in
                [
                    "version": .integer(try row.int64("version")),
                    "definition": (try? JSONParser.parse(try row.string("definition"))) ?? .null,
                    "actor": (try? JSONParser.parse(try row.string("actor"))) ?? .null,
                    "created_at": .string(try row.timestamp("created_at").rfc3339),
                ]
            }
        }
    }
}

enum RoutingRuleRows {
    static func find(id: String, on database: any SQLDatabase) async throws -> RoutingRule? {
        try await database.raw("SELECT * FROM routing_rules WHERE id = \(bind: id) AND deleted_at IS NULL").first().map(decode)
    }

    /// Rules are stored as their API definition, read back through the same checks (keyword sets
    /// are not checked here: a rule naming a deleted set simply never matches it).
    static func decode(_ row: any SQLRow) throws -> RoutingRule {
        let definition = try JSONParser.parse(try row.string("definition"))
        let draft: RoutingRuleDraft
        do throws(ValidationFailure) {
            draft = try RoutingRuleDraft.read(definition, keywordSets: nil)
        } catch {
            throw StoreError(.unavailable, "stored routing rule \(try row.string("id")) no longer reads: \(error.issues.first?.message ?? "")")
        }
        return RoutingRule(id: try row.string("id"), name: draft.name, trigger: draft.trigger, position: try row.int64("position"),
                           enabled: draft.enabled, stop: draft.stop, conditions: draft.conditions, actions: draft.actions,
                           version: try row.int64("version"), createdAt: try row.timestamp("created_at"),
                           updatedAt: try row.timestamp("updated_at"))
    }
}
