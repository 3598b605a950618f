import RapportCore
import SQLKit

extension SQLCallStore {
    public func apply(_ event: CallEvent, channelID: String, actor: Actor, in tx: WriteTransaction) async throws -> (call: Call, replayed: Bool) {
        guard let channel = try await ChannelRows.find(id: channelID, on: tx.database), channel.kind == .phone else {
            throw StoreError.notFound("phone channel", channelID)
        }
        let lock: SQLQueryString = flavor == .postgres ? " FOR UPDATE" : ""
        let existing = try await tx.firstRow("""
            SELECT record FROM calls WHERE channel_id = \(bind: channelID) AND provider_call_id = \(bind: event.callID)
            """ + lock).map { try CallRows.decode($0) }
        if try await tx.firstRow("""
            SELECT call_id FROM call_events WHERE channel_id = \(bind: channelID) AND event_id = \(bind: event.id)
            """) != nil, let existing {
            return (existing, true)
        }
        let customerID: String
        if let existing {
            customerID = try await currentCustomer(existing.customerID, in: tx)
        } else {
            let identity = Identity(kind: .phone, value: event.customerNumber)
            if let holder = try await store.customers.customerID(holding: identity, in: tx) {
                customerID = holder
            } else {
                customerID = try await store.customers.createCustomer(NewCustomer(name: event.customerNumber, identities: [identity]),
                                                                      actor: actor, channelID: channelID, identitiesKnownFree: true, in: tx).id
            }
        }
        let now = tx.now()
        var outcome = CallProgress.apply(event, to: existing, id: existing?.id ?? tx.newID("call"), channelID: channelID,
                                         customerID: customerID, now: now)
        try await tx.execute("""
            INSERT INTO call_events (channel_id, event_id, call_id, received_at)
            VALUES (\(bind: channelID), \(bind: event.id), \(bind: outcome.call.id), \(bind: now.microseconds))
            """)
        if outcome.finished {
            let ingested = try await store.interactions.ingestInteraction(CallProgress.interaction(outcome.call), actor: actor, in: tx)
            outcome.call.interactionID = ingested.interaction.id
        }
        guard outcome.changed || existing == nil else { return (outcome.call, false) }
        let call = outcome.call
        try await tx.execute("""
            INSERT INTO calls (id, channel_id, provider_call_id, customer_id, record, status, started_at, updated_at)
            VALUES (\(bind: call.id), \(bind: channelID), \(bind: call.providerCallID), \(bind: call.customerID), \(bind: call.json.jsonString),
                    \(bind: call.status.rawValue), \(bind: call.startedAt.microseconds), \(bind: call.updatedAt.microseconds))
            ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, record = excluded.record, status = excluded.status,
                started_at = excluded.started_at, updated_at = excluded.updated_at
            """)
        tx.append(.change("call", call.status.rawValue, subject: call.customerID, record: call.json, changedFields: ["status"], actor: actor,
                          channelID: channelID))
        return (call, false)
    }

    /// The customer a call belongs to now: the survivor, when the caller's customer was merged.
    private func currentCustomer(_ id: String, in tx: WriteTransaction) async throws -> String {
        guard let row = try await tx.firstRow("SELECT merged_into FROM customers WHERE id = \(bind: id)"),
              let survivor = try row.optionalString("merged_into") else { return id }
        return survivor
    }

    public func call(_ id: String) async throws -> Call? {
        try await read { database in
            try await database.raw("SELECT record, customer_id FROM calls WHERE id = \(bind: id)").first().map(CallRows.decode)
        }
    }

    public func calls(ofCustomer customerID: String, limit: Int) async throws -> [Call] {
        try await read { database in
            try await database.raw("""
                SELECT record, customer_id FROM calls WHERE customer_id = \(bind: customerID) ORDER BY started_at DESC LIMIT \(bind: limit)
                """).all().map(CallRows.decode)
        }
    }
}

enum CallRows {
    /// A call from its stored record; the customer column wins (a merge moves it).
    static func decode(_ row: any SQLRow) throws -> Call {
        let record = try row.jsonObject("record")
        func text(_ key: String) -> String? { record[key]?.stringValue }
        func time(_ key: String) -> Timestamp? { text(key).flatMap(Timestamp.init(rfc3339:)) }
        guard let id = text("id"), let channelID = text("channel_id"), let providerCallID = text("provider_call_id"),
              let status = text("status").flatMap(Call.Status.init(rawValue:)), let startedAt = time("started_at"),
              let updatedAt = time("updated_at") else {
            throw StoreError(.unavailable, "a stored call could not be read")
        }
        let customerID = (try? row.optionalString("customer_id")) ?? nil
        return Call(id: id, channelID: channelID, providerCallID: providerCallID, customerID: customerID ?? text("customer_id") ?? "",
                    direction: text("direction").flatMap(InteractionDirection.init(rawValue:)) ?? .inbound, from: text("from") ?? "",
                    to: text("to") ?? "", status: status, startedAt: startedAt, answeredAt: time("answered_at"), endedAt: time("ended_at"),
                    durationSeconds: record["duration_seconds"]?.intValue.map(Int.init), agentID: text("agent_id"),
                    recordingURL: text("recording_url"), transcript: text("transcript"), interactionID: text("interaction_id"),
                    updatedAt: updatedAt)
    }
}
