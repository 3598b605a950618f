import RapportCore
import SQLKit

/// What became of one pushed change.
public struct SyncOutcome: Sendable {
    public enum Status: String, Sendable {
        /// Applied now (fields older than what the record holds lose, as they would anywhere).
        case applied
        /// Pushed before; the first outcome is returned again.
        case duplicate
        /// Refused; nothing of it was stored. It may be pushed again once the cause is fixed.
        case rejected
    }

    public var changeID: String
    public var status: Status
    public var customerID: String?
    public var changedFields: [String]
    public var version: Int64?
    public var error: StoreError?

    public init(changeID: String, status: Status, customerID: String? = nil, changedFields: [String], version: Int64? = nil,
                error: StoreError? = nil) {
        self.changeID = changeID
        self.status = status
        self.customerID = customerID
        self.changedFields = changedFields
        self.version = version
        self.error = error
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["change_id"] = .string(changeID)
        object["status"] = .string(status.rawValue)
        object["customer_id"] = customerID.map(JSONValue.string) ?? .null
        object["changed_fields"] = .array(changedFields.map(JSONValue.string))
        object["version"] = version.map(JSONValue.integer) ?? .null
        if let error {
            var problem = JSONObject()
            problem["code"] = .string(error.code.rawValue)
            problem["message"] = .string(error.message)
            problem["field"] = error.field.map(JSONValue.string) ?? .null
            for (key, value) in error.extra { problem[key] = value }
            if let holder = error.holderID { problem["holder_id"] = .string(holder) }
            object["error"] = .object(problem)
        }
        return .object(object)
    }
}

extension SQLSyncStore {
    /// Applies an offline push change by change, each converging field by field with what the
    /// record holds; a change refused (clock too far ahead, identity held by someone else, unknown
    /// customer) is reported and the others still apply.
    public func applySync(_ push: SyncPush, maxSkewMilliseconds: Int64, actor: Actor,
                          in tx: WriteTransaction) async throws -> [SyncOutcome] {
        guard let channel = try await tx.firstRow("SELECT settings FROM channels WHERE id = \(bind: push.channelID)") else {
            throw StoreError(.invalidReference, "channel \(push.channelID) does not exist", field: "channel_id")
        }
        // A channel's `source_priority` setting decides between writes of the same instant.
        let priority = (try? JSONParser.parse(try channel.string("settings")))?.objectValue?["source_priority"]?.intValue ?? 0
        var outcomes: [SyncOutcome] = []
        outcomes.reserveCapacity(push.changes.count)
        for change in push.changes {
            if let receipt = try await tx.firstRow("""
                SELECT outcome FROM sync_receipts WHERE channel_id = \(bind: push.channelID) AND change_id = \(bind: change.changeID)
                """) {
                var first = SyncOutcome(stored: try JSONParser.parse(try receipt.string("outcome")), changeID: change.changeID)
                first.status = .duplicate
                outcomes.append(first)
                continue
            }
            let physical = tx.now().microseconds / 1_000
            guard change.timestamp.milliseconds <= physical + maxSkewMilliseconds else {
                let error = StoreError(.invalidReference, ClockSkewError(received: change.timestamp, limitMilliseconds: maxSkewMilliseconds).description,
                                       field: "\(change.path).hlc")
                outcomes.append(SyncOutcome(changeID: change.changeID, status: .rejected, changedFields: [], error: error))
                continue
            }
            tx.observe(change.timestamp)
            let provenance = Provenance(version: FieldVersion(timestamp: change.timestamp, sourcePriority: Int(clamping: priority),
                                                              sourceID: push.channelID),
                                        channelID: push.channelID, actorID: actor.id)
            do {
                let (customer, changed) = try await apply(change, by: provenance, actor: actor, in: tx)
                let outcome = SyncOutcome(changeID: change.changeID, status: .applied, customerID: customer.id,
                                          changedFields: changed, version: customer.version)
                try await tx.execute("""
                    INSERT INTO sync_receipts (channel_id, change_id, customer_id, outcome, created_at)
                    VALUES (\(bind: push.channelID), \(bind: change.changeID), \(bind: customer.id), \(bind: outcome.json.jsonString),
                            \(bind: tx.now().microseconds))
                    """)
                outcomes.append(outcome)
            } catch var error as StoreError where error.code != .unavailable {
                // Raised before this change wrote anything, so the others can go on.
                if let field = error.field { error.field = "\(change.path).\(field)" }
                outcomes.append(SyncOutcome(changeID: change.changeID, status: .rejected, changedFields: [], error: error))
            }
        }
        return outcomes
    }

    private func apply(_ change: SyncChange, by provenance: Provenance, actor: Actor,
                       in tx: WriteTransaction) async throws -> (Customer, [String]) {
        switch change.target {
        case .customer(let id):
            let current = try await store.customers.lockedCustomer(id: try await store.interactions.survivingCustomerID(of: id, in: tx), expectedVersion: nil, in: tx)
            return try await store.customers.applyChanges(change.fieldChanges, by: provenance, to: current, actor: actor, in: tx)
        case .identity(let identity):
            if let holder = try await store.customers.customerID(holding: identity, in: tx) {
                let current = try await store.customers.lockedCustomer(id: holder, expectedVersion: nil, in: tx)
                return try await store.customers.applyChanges(change.fieldChanges, by: provenance, to: current, actor: actor, in: tx)
            }
            // A customer the device created offline: its fields carry the device's versions; the
            // name, until the device sets one, is the identity and carries none.
            let time = tx.now()
            var record = VersionedCustomer(customer: Customer(id: tx.newID("cus"), kind: .person, name: identity.value,
                                                              createdAt: time, updatedAt: time),
                                           versions: CustomerVersions())
            record.apply([.addIdentity(identity, rank: 0)] + change.fieldChanges, by: provenance)
            try await store.customers.checkIdentitiesFree(record.customer.identities, for: nil, in: tx)
            try await store.customers.checkOwnerExists(record.customer.ownerID, in: tx)
            tx.markWritten()
            try await CustomerRows.insert([CustomerRow(record)], on: tx.database)
            tx.lookups.hold(record.customer.identities, by: record.customer.id)
            let fields = CustomerFields.present(in: record.customer)
            tx.append(.change("customer", "created", subject: record.customer.id, record: record.customer.json,
                           changedFields: fields, actor: actor, channelID: provenance.channelID))
            return (record.customer, fields)
        }
    }
}

extension SyncOutcome {
    init(stored value: JSONValue, changeID: String) {
        let object = value.objectValue ?? JSONObject()
        self.init(changeID: changeID, status: .applied, customerID: object["customer_id"]?.stringValue,
                  changedFields: (object["changed_fields"]?.arrayValue ?? []).compactMap(\.stringValue),
                  version: object["version"]?.intValue)
    }
}

/// One customer in a pull: its state now, or where it went.
public struct SyncPulledCustomer: Sendable {
    public var sequence: Int64
    public var record: VersionedCustomer?
    public var customerID: String
}

/// A page of a pull: the customers changed after the cursor, each once, at their current state.
public struct SyncPull: Sendable {
    public var customers: [SyncPulledCustomer]
    /// The log position to pull from next time.
    public var cursor: Int64
    public var hasMore: Bool
}

extension SQLSyncStore {
    /// The customers changed after log position `after`, each at its current state with field
    /// versions, so the channel converges its offline copy with the same rules.
    public func pullCustomers(after: Int64, limit: Int) async throws -> SyncPull {
        try await read { database in
            let rows = try await database.raw("""
                SELECT sequence, subject FROM events WHERE sequence > \(bind: after) AND type LIKE 'rapport.customer.%'
                ORDER BY sequence LIMIT \(bind: limit * 4 + 1)
                """).all()
            var latest: [String: Int64] = [:]
            var order: [String] = []
            var cursor = after
            var hasMore = false
            for row in rows {
                let subject = try row.string("subject")
                if latest[subject] == nil {
                    if order.count == limit { hasMore = true; break }
                    order.append(subject)
                }
                let sequence = try row.int64("sequence")
                latest[subject] = sequence
                cursor = sequence
            }
            if rows.count > limit * 4 { hasMore = true }
            var customers: [SyncPulledCustomer] = []
            for id in order {
                let record = try await CustomerRows.findVersioned(id: id, includeDeleted: true, on: database)
                customers.append(SyncPulledCustomer(sequence: latest[id] ?? cursor, record: record, customerID: id))
            }
            return SyncPull(customers: customers, cursor: cursor, hasMore: hasMore)
        }
    }
}
