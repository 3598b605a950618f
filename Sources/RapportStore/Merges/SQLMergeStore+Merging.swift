import RapportCore
import SQLKit

/// The outcome of a merge or its undo.
public struct MergeOutcome: Sendable {
    public var record: MergeRecord
    public var survivor: Customer
    /// The customers an undo brought back; empty for a merge.
    public var restored: [Customer]
}

extension SQLMergeStore {
    /// Tables whose rows belong to one customer through `customer_id`: a merge moves them to the
    /// survivor and its undo moves them back. A capability whose records belong to a customer
    /// (notes, tasks, deals…) adds its table here.
    static let customerOwnedTables = ["interactions", "conversations", "mail_messages", "calls", "meetings", "notes", "follows", "notifications", "tasks", "handoffs",
                                      "records"]

    /// Merges `absorbedIDs` into `survivorID`: identities and interactions move to the survivor,
    /// each field follows the survivorship policy unless `overrides` sets it, and the absorbed
    /// customers keep resolving to the survivor. Everything undo needs is kept with the merge.
    public func mergeCustomers(into survivorID: String, absorbing absorbedIDs: [String], overrides: CustomerPatch?,
                               actor: Actor, in tx: WriteTransaction) async throws -> MergeOutcome {
        // Rows are locked in id order, so two merges of overlapping customers cannot deadlock.
        var locked: [String: VersionedCustomer] = [:]
        for id in ([survivorID] + absorbedIDs).sorted() {
            do {
                locked[id] = try await store.customers.lockedCustomer(id: id, expectedVersion: nil, in: tx)
            } catch let error as StoreError where error.code == .notFound || error.code == .merged {
                var refused = error
                refused.field = id == survivorID ? nil : "customer_ids"
                throw refused
            }
        }
        guard let survivor = locked[survivorID] else { throw StoreError.notFound("customer", survivorID) }
        let absorbed = absorbedIDs.compactMap { locked[$0] }
        let policy = try await survivorshipPolicy(in: tx)
        let plan = CustomerMergePlan(survivor: survivor, absorbed: absorbed, policy: policy)
        var merged = plan.merged
        let newest = ([survivor] + absorbed).compactMap(\.versions.newest).max()
        let provenance = tx.provenance(of: actor, channelID: nil, after: newest)
        var overridden: [String] = []
        if let overrides {
            let changes = overrides.changes(against: merged.customer)
            overridden = merged.apply(changes, by: provenance)
        }
        if merged.customer.ownerID != survivor.customer.ownerID { try await store.customers.checkOwnerExists(merged.customer.ownerID, in: tx) }
        let time = tx.now()
        merged.customer.version = survivor.customer.version + 1
        merged.customer.updatedAt = time

        // Everything that belongs to an absorbed customer follows it to the survivor; the ids are
        // kept per table and customer so undo moves exactly these rows back.
        var moved: [String: [String: [String]]] = [:]
        for table in Self.customerOwnedTables {
            for row in try await tx.rows("SELECT id, customer_id FROM \(ident: table) WHERE customer_id IN (\(binds: absorbedIDs)) ORDER BY id") {
                moved[table, default: [:]][try row.string("customer_id"), default: []].append(try row.string("id"))
            }
            try await tx.execute("UPDATE \(ident: table) SET customer_id = \(bind: survivorID) WHERE customer_id IN (\(binds: absorbedIDs))")
        }
        let movedInteractions = moved["interactions"] ?? [:]
        let movedIdentities = absorbed.reduce(0) { $0 + $1.customer.identities.count }

        // Identities: the survivor's rows are rewritten in merged order, the absorbed ones' rows go.
        try await tx.execute("DELETE FROM identities WHERE customer_id IN (\(binds: [survivorID] + absorbedIDs))")
        tx.lookups.release(([survivor] + absorbed).flatMap(\.customer.identities))
        try await store.customers.insertIdentities(merged.customer.identities, of: survivorID, in: tx)
        try await CustomerRows.update(merged, on: tx.database)
        for var record in absorbed {
            record.customer.mergedInto = survivorID
            record.customer.version += 1
            record.customer.updatedAt = time
            try await CustomerRows.update(record, on: tx.database)
        }

        try await store.duplicates.dismissDuplicates(involving: absorbedIDs, in: tx)
        let merge = MergeRecord(
            id: tx.newID("mrg"), survivorID: survivorID, absorbedIDs: absorbedIDs, decisions: plan.decisions,
            overriddenFields: overridden, movedInteractions: movedInteractions.values.reduce(0) { $0 + $1.count },
            movedIdentities: movedIdentities, movedConversations: moved["conversations"]?.values.reduce(0) { $0 + $1.count } ?? 0,
            actor: actor, createdAt: time)
        let snapshot: JSONValue = [
            "record": merge.json,
            "survivor_before": survivor.snapshot,
            "absorbed_before": .array(absorbed.map(\.snapshot)),
            "survivor_after": merged.snapshot,
            "moved": .object(JSONObject(moved.sorted { $0.key < $1.key }.map { table, byCustomer in
                (table, .object(JSONObject(byCustomer.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSONValue.string))) })))
            })),
        ]
        try await tx.execute("""
            INSERT INTO merges (id, survivor_id, absorbed_ids, snapshot, survivor_version, actor, created_at)
            VALUES (\(bind: merge.id), \(bind: survivorID), \(bind: JSONValue.array(absorbedIDs.map(JSONValue.string)).jsonString),
                    \(bind: snapshot.jsonString), \(bind: merged.customer.version), \(bind: actor.json.jsonString), \(bind: time.microseconds))
            """)
        var data = JSONObject()
        data["merge"] = merge.json
        data["customer"] = merged.customer.json
        data["changed_fields"] = .array(VersionedCustomer.changedFields(from: survivor.customer, to: merged.customer).map(JSONValue.string))
        data["actor"] = actor.json
        tx.append(EventDraft(type: "rapport.customer.merged", subject: survivorID, data: .object(data)))
        for var record in absorbed {
            // Consumers that follow one customer's events learn where it went.
            record.customer.mergedInto = survivorID
            record.customer.version += 1
            record.customer.updatedAt = time
            tx.append(.change("customer", "absorbed", subject: record.customer.id, record: record.customer.json,
                           changedFields: ["merged_into"], actor: actor))
        }
        return MergeOutcome(record: merge, survivor: merged.customer, restored: [])
    }

    /// Reverses a merge exactly, or refuses naming the later changes that make that impossible.
    public func undoMerge(_ mergeID: String, actor: Actor, in tx: WriteTransaction) async throws -> MergeOutcome {
        guard let row = try await tx.firstRow("SELECT * FROM merges WHERE id = \(bind: mergeID)") else {
            throw StoreError.notFound("merge", mergeID)
        }
        guard try row.optionalTimestamp("undone_at") == nil else {
            throw StoreError(.conflict, "merge \(mergeID) was already undone")
        }
        let snapshot = try JSONParser.parse(try row.string("snapshot"))
        guard var record = snapshot.objectValue?["record"].flatMap(MergeRecord.init(stored:)),
              let survivorBefore = snapshot.objectValue?["survivor_before"].flatMap(VersionedCustomer.init(snapshot:)),
              let survivorAfter = snapshot.objectValue?["survivor_after"].flatMap(VersionedCustomer.init(snapshot:)) else {
            throw StoreError(.unavailable, "merge \(mergeID) is damaged and cannot be undone")
        }
        let absorbedBefore = (snapshot.objectValue?["absorbed_before"]?.arrayValue ?? []).compactMap(VersionedCustomer.init(snapshot:))
        let survivorID = record.survivorID
        var current: [String: VersionedCustomer] = [:]
        for id in ([survivorID] + record.absorbedIDs).sorted() {
            current[id] = try await CustomerRows.findVersioned(id: id, includeDeleted: true, forUpdate: true, on: tx.database)
        }
        guard let survivorNow = current[survivorID] else { throw StoreError.notFound("customer", survivorID) }
        let blocking = MergeUndoCheck.blocking(
            survivorAfter: survivorAfter.customer, survivorNow: survivorNow.customer,
            absorbedIDs: absorbedBefore.map(\.customer.id),
            absorbedNowMergedInto: Dictionary(uniqueKeysWithValues: absorbedBefore.map { ($0.customer.id, current[$0.customer.id]?.customer.mergedInto) }))
        guard blocking.isEmpty else {
            throw StoreError(.conflict, "merge \(mergeID) cannot be undone exactly: later changes would be lost",
                             extra: ["blocking": .array(blocking.map(\.json))])
        }

        let time = tx.now()
        try await tx.execute("DELETE FROM identities WHERE customer_id = \(bind: survivorID)")
        tx.lookups.release(survivorNow.customer.identities)
        var restoredSurvivor = survivorBefore
        restoredSurvivor.customer.version = survivorNow.customer.version + 1
        restoredSurvivor.customer.updatedAt = time
        try await CustomerRows.update(restoredSurvivor, on: tx.database)
        try await store.customers.insertIdentities(survivorBefore.customer.identities, of: survivorID, in: tx)
        // Merges stored before conversations followed kept only their interactions, under "interactions".
        var moved = snapshot.objectValue?["moved"]?.objectValue ?? JSONObject()
        if moved["interactions"] == nil, let interactions = snapshot.objectValue?["interactions"] { moved["interactions"] = interactions }
        var restored: [Customer] = []
        for before in absorbedBefore {
            var back = before
            back.customer.version = (current[before.customer.id]?.customer.version ?? before.customer.version) + 1
            back.customer.updatedAt = time
            try await CustomerRows.update(back, on: tx.database)
            try await store.customers.insertIdentities(before.customer.identities, of: before.customer.id, in: tx)
            for table in Self.customerOwnedTables {
                let ids = (moved[table]?.objectValue?[before.customer.id]?.arrayValue ?? []).compactMap(\.stringValue)
                for chunk in stride(from: 0, to: ids.count, by: 500) {
                    let slice = Array(ids[chunk..<min(chunk + 500, ids.count)])
                    try await tx.execute("""
                        UPDATE \(ident: table) SET customer_id = \(bind: before.customer.id)
                        WHERE customer_id = \(bind: survivorID) AND id IN (\(binds: slice))
                        """)
                }
            }
            restored.append(back.customer)
        }
        record.undoneAt = time
        var stored = snapshot.objectValue ?? JSONObject()
        stored["record"] = record.json
        try await tx.execute("""
            UPDATE merges SET undone_at = \(bind: time.microseconds), snapshot = \(bind: JSONValue.object(stored).jsonString)
            WHERE id = \(bind: mergeID)
            """)
        var data = JSONObject()
        data["merge"] = record.json
        data["customer"] = restoredSurvivor.customer.json
        data["restored"] = .array(restored.map(\.json))
        data["actor"] = actor.json
        tx.append(EventDraft(type: "rapport.customer.unmerged", subject: survivorID, data: .object(data)))
        for customer in restored {
            tx.append(.change("customer", "restored", subject: customer.id, record: customer.json,
                           changedFields: ["merged_into", "identities"], actor: actor))
        }
        return MergeOutcome(record: record, survivor: restoredSurvivor.customer, restored: restored)
    }

    /// The survivorship policy in force (the standard one until one is set).
    func survivorshipPolicy(in tx: WriteTransaction) async throws -> SurvivorshipPolicy {
        try await SettingKeys.survivorshipPolicy(on: tx.database)
    }

    /// Replaces the survivorship policy.
    public func setSurvivorshipPolicy(_ policy: SurvivorshipPolicy, actor: Actor, in tx: WriteTransaction) async throws {
        try await store.settings.replaceSetting(SettingKeys.survivorship, with: policy.json, actor: actor, in: tx)
    }
}

extension SQLMergeStore {
    /// A merge as recorded.
    public func merge(_ id: String) async throws -> MergeRecord? {
        try await read { database in
            guard let row = try await database.raw("SELECT snapshot FROM merges WHERE id = \(bind: id)").first() else { return nil }
            return try JSONParser.parse(try row.string("snapshot")).objectValue?["record"].flatMap(MergeRecord.init(stored:))
        }
    }

    /// The merges `customerID` survived, newest first (undone ones included), at most `limit`.
    public func merges(survivor customerID: String, limit: Int) async throws -> [MergeRecord] {
        let snapshots: [String] = try await read { database in
            var texts: [String] = []
            for row in try await database.raw("""
                SELECT snapshot FROM merges WHERE survivor_id = \(bind: customerID)
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all() {
                texts.append(try row.string("snapshot"))
            }
            return texts
        }
        return try snapshots.compactMap(Self.record(inSnapshot:))
    }

    /// The merge record kept in a merge's snapshot.
    static func record(inSnapshot text: String) throws -> MergeRecord? {
        try JSONParser.parse(text).objectValue?["record"].flatMap(MergeRecord.init(stored:))
    }

    /// The survivorship policy in force.
    public func survivorshipPolicy() async throws -> SurvivorshipPolicy {
        try await read { try await SettingKeys.survivorshipPolicy(on: $0) }
    }

    /// A customer with the provenance of its fields; absorbed customers included (`mergedInto` set).
    public func versionedCustomer(_ id: String) async throws -> VersionedCustomer? {
        try await read { try await CustomerRows.findVersioned(id: id, on: $0) }
    }
}

extension SettingKeys {
    static func survivorshipPolicy(on database: any SQLDatabase) async throws -> SurvivorshipPolicy {
        guard let document = try await SettingsRows.document(survivorship, on: database) else { return .standard }
        return SurvivorshipPolicy(stored: document)
    }
}
