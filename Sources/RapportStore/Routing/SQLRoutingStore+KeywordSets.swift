import RapportCore
import SQLKit

/// A named list of terms as stored.
public struct StoredKeywordSet: Sendable, Equatable {
    public var id: String
    public var name: String
    public var wholeWords: Bool
    public var terms: [String]
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// The set without its terms (lists can hold many thousands).
    public var summaryJSON: JSONValue {
        ["id": .string(id), "name": .string(name), "whole_words": .bool(wholeWords), "term_count": .integer(Int64(terms.count)),
         "version": .integer(version), "created_at": .string(createdAt.rfc3339), "updated_at": .string(updatedAt.rfc3339)]
    }

    public var json: JSONValue {
        guard case .object(var object) = summaryJSON else { return summaryJSON }
        object["terms"] = .array(terms.map(JSONValue.string))
        return .object(object)
    }
}

extension SQLRoutingStore {
    /// Creates a keyword set, or replaces the terms of the one with that name (next version).
    public func saveKeywordSet(name: String, wholeWords: Bool, terms: [String], actor: Actor,
                               in tx: WriteTransaction) async throws -> (StoredKeywordSet, created: Bool) {
        let now = tx.now()
        if let existing = try await tx.firstRow("SELECT * FROM keyword_sets WHERE name = \(bind: name)").map(KeywordSetRows.decode) {
            var next = existing
            next.wholeWords = wholeWords
            next.terms = terms
            guard next != existing else { return (existing, false) }
            next.version += 1
            next.updatedAt = now
            try await tx.execute("""
                UPDATE keyword_sets SET whole_words = \(bind: wholeWords ? 1 : 0), terms = \(bind: terms.jsonText),
                    term_count = \(bind: Int64(terms.count)), version = \(bind: next.version), updated_at = \(bind: now.microseconds)
                WHERE id = \(bind: existing.id)
                """)
            tx.append(.change("keyword_set", "updated", subject: existing.id, record: next.summaryJSON, changedFields: ["terms"], actor: actor))
            return (next, false)
        }
        let set = StoredKeywordSet(id: tx.newID("kws"), name: name, wholeWords: wholeWords, terms: terms, version: 1, createdAt: now, updatedAt: now)
        try await tx.execute("""
            INSERT INTO keyword_sets (id, name, whole_words, terms, term_count, version, created_at, updated_at)
            VALUES (\(bind: set.id), \(bind: name), \(bind: wholeWords ? 1 : 0), \(bind: terms.jsonText), \(bind: Int64(terms.count)), 1,
                \(bind: now.microseconds), \(bind: now.microseconds))
            """)
        tx.append(.change("keyword_set", "created", subject: set.id, record: set.summaryJSON, changedFields: [], actor: actor))
        return (set, true)
    }

    /// Deletes a keyword set; refused while an enabled rule uses it.
    public func deleteKeywordSet(name: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard let existing = try await tx.firstRow("SELECT * FROM keyword_sets WHERE name = \(bind: name) OR id = \(bind: name)")
            .map(KeywordSetRows.decode) else { throw StoreError.notFound("keyword set", name) }
        let rules = try await tx.rows("SELECT * FROM routing_rules WHERE deleted_at IS NULL").map(RoutingRuleRows.decode)
        if let user = rules.first(where: { $0.conditions.keywordSets.contains(existing.name) }) {
            throw StoreError(.conflict, "rule \(user.id) (\(user.name)) uses keyword set \(existing.name); change the rule first")
        }
        try await tx.execute("DELETE FROM keyword_sets WHERE id = \(bind: existing.id)")
        tx.append(.change("keyword_set", "deleted", subject: existing.id, record: existing.summaryJSON, changedFields: [], actor: actor))
    }
}

extension SQLRoutingStore {
    public func keywordSets() async throws -> [StoredKeywordSet] {
        try await read { try await $0.raw("SELECT * FROM keyword_sets ORDER BY name").all().map(KeywordSetRows.decode) }
    }

    public func keywordSet(_ nameOrID: String) async throws -> StoredKeywordSet? {
        try await read { database in
            try await database.raw("SELECT * FROM keyword_sets WHERE name = \(bind: nameOrID) OR id = \(bind: nameOrID)")
                .first().map(KeywordSetRows.decode)
        }
    }
}

enum KeywordSetRows {
    static func decode(_ row: any SQLRow) throws -> StoredKeywordSet {
        StoredKeywordSet(id: try row.string("id"), name: try row.string("name"), wholeWords: try row.int64("whole_words") != 0,
                         terms: try row.stringList("terms"), version: try row.int64("version"),
                         createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}

extension SQLRoutingStore {
    /// The names of every keyword set (without loading their terms).
    public func keywordSetNames() async throws -> Set<String> {
        try await read { database in
            Set(try await database.raw("SELECT name FROM keyword_sets").all().map { try $0.string("name") })
        }
    }
}
