import RapportCore
import SQLKit

extension SQLDuplicateStore {
    /// Adds pairs to the review queue. A pair already open gets its new score; a pair decided
    /// before (accepted, rejected) is left alone, so a rejection is remembered. Returns the
    /// candidates that are new.
    @discardableResult
    public func proposeDuplicates(_ pairs: [ProposedDuplicate], actor: Actor,
                                  in tx: WriteTransaction) async throws -> [DuplicateCandidate] {
        var created: [DuplicateCandidate] = []
        for pair in pairs where pair.firstID != pair.secondID {
            let time = tx.now()
            if let row = try await tx.firstRow("""
                SELECT id, status FROM duplicate_candidates WHERE first_id = \(bind: pair.firstID) AND second_id = \(bind: pair.secondID)
                """) {
                guard try row.string("status") == DuplicateCandidate.Status.open.rawValue else { continue }
                try await tx.execute("""
                    UPDATE duplicate_candidates SET probability = \(bind: pair.probability), weight = \(bind: pair.weight),
                        explanation = \(bind: pair.explanation.jsonString), updated_at = \(bind: time.microseconds)
                    WHERE id = \(bind: try row.string("id"))
                    """)
                continue
            }
            let candidate = DuplicateCandidate(id: tx.newID("dup"), firstID: pair.firstID, secondID: pair.secondID,
                                               probability: pair.probability, weight: pair.weight, explanation: pair.explanation,
                                               createdAt: time, updatedAt: time)
            try await tx.execute("""
                INSERT INTO duplicate_candidates (id, first_id, second_id, probability, weight, explanation, status, created_at, updated_at)
                VALUES (\(bind: candidate.id), \(bind: candidate.firstID), \(bind: candidate.secondID), \(bind: candidate.probability),
                        \(bind: candidate.weight), \(bind: candidate.explanation.jsonString), \(bind: candidate.status.rawValue),
                        \(bind: time.microseconds), \(bind: time.microseconds))
                """)
            tx.append(.change("duplicate", "proposed", subject: candidate.firstID, record: candidate.json,
                           changedFields: ["status"], actor: actor))
            created.append(candidate)
        }
        return created
    }

    /// Accepts a candidate by merging the two (into `survivorID`, by default the older one), or
    /// rejects it for good.
    public func decideDuplicate(_ id: String, accept: Bool, survivorID: String?, overrides: CustomerPatch?,
                                actor: Actor, in tx: WriteTransaction) async throws -> (candidate: DuplicateCandidate, merge: MergeOutcome?) {
        guard var candidate = try await DuplicateRows.find(id, on: tx.database) else { throw StoreError.notFound("duplicate candidate", id) }
        guard candidate.status == .open else {
            throw StoreError(.conflict, "duplicate candidate \(id) is already \(candidate.status.rawValue)")
        }
        var merge: MergeOutcome?
        if accept {
            let survivor = survivorID ?? candidate.firstID
            guard survivor == candidate.firstID || survivor == candidate.secondID else {
                throw StoreError(.invalidReference, "survivor_id must be one of the pair's customers", field: "survivor_id")
            }
            let absorbed = survivor == candidate.firstID ? candidate.secondID : candidate.firstID
            merge = try await store.merges.mergeCustomers(into: survivor, absorbing: [absorbed], overrides: overrides, actor: actor, in: tx)
            candidate.mergeID = merge?.record.id
        }
        candidate.status = accept ? .accepted : .rejected
        candidate.decidedBy = actor.id ?? actor.kind.rawValue
        candidate.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE duplicate_candidates SET status = \(bind: candidate.status.rawValue), merge_id = \(bind: candidate.mergeID),
                decided_by = \(bind: candidate.decidedBy), updated_at = \(bind: candidate.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        tx.append(.change("duplicate", accept ? "accepted" : "rejected", subject: candidate.firstID, record: candidate.json,
                       changedFields: ["status"], actor: actor))
        return (candidate, merge)
    }

    /// Open candidates that involve customers no longer standing are dismissed.
    func dismissDuplicates(involving customerIDs: [String], in tx: WriteTransaction) async throws {
        guard !customerIDs.isEmpty else { return }
        try await tx.execute("""
            UPDATE duplicate_candidates SET status = \(bind: DuplicateCandidate.Status.dismissed.rawValue), updated_at = \(bind: tx.now().microseconds)
            WHERE status = 'open' AND (first_id IN (\(binds: customerIDs)) OR second_id IN (\(binds: customerIDs)))
            """)
    }
}

extension SQLDuplicateStore {
    public func duplicate(_ id: String) async throws -> DuplicateCandidate? {
        try await read { try await DuplicateRows.find(id, on: $0) }
    }

    /// A page of candidates in id (proposal) order.
    public func duplicates(status: DuplicateCandidate.Status?, customerID: String?, limit: Int,
                           cursor: String?) async throws -> Page<DuplicateCandidate> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        if let customerID { conditions.append("(first_id = \(bind: customerID) OR second_id = \(bind: customerID))") }
        if let cursor { conditions.append("id > \(bind: try ListCursor.decode(cursor))") }
        let query: SQLQueryString = "SELECT * FROM duplicate_candidates WHERE " + conditions.joined(separator: " AND ")
            + " ORDER BY id LIMIT \(bind: limit + 1)"
        return try await read { database in
            let rows = try await database.raw(query).all()
            let items = try rows.prefix(limit).map(DuplicateRows.decode)
            return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
        }
    }

    /// The comparison grades of every decided pair, for refining the model: confirmed (accepted)
    /// and rejected.
    public func labelledDuplicatePairs() async throws -> (confirmed: [JSONValue], rejected: [JSONValue]) {
        try await read { database in
            let rows = try await database.raw("""
                SELECT status, explanation FROM duplicate_candidates WHERE status IN ('accepted', 'rejected')
                """).all()
            var confirmed: [JSONValue] = []
            var rejected: [JSONValue] = []
            for row in rows {
                let explanation = (try? JSONParser.parse(try row.string("explanation"))) ?? .null
                if try row.string("status") == "accepted" { confirmed.append(explanation) } else { rejected.append(explanation) }
            }
            return (confirmed, rejected)
        }
    }
}

enum DuplicateRows {
    static func find(_ id: String, on database: any SQLDatabase) async throws -> DuplicateCandidate? {
        try await database.raw("SELECT * FROM duplicate_candidates WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> DuplicateCandidate {
        DuplicateCandidate(
            id: try row.string("id"), firstID: try row.string("first_id"), secondID: try row.string("second_id"),
            probability: try row.decode(column: "probability", as: Double.self), weight: try row.decode(column: "weight", as: Double.self),
            explanation: (try? JSONParser.parse(try row.string("explanation"))) ?? .null,
            status: DuplicateCandidate.Status(rawValue: try row.string("status")) ?? .open,
            mergeID: try row.optionalString("merge_id"), decidedBy: try row.optionalString("decided_by"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
