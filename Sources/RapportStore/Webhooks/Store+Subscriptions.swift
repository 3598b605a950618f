import RapportCore
import SQLKit

extension WriteTransaction {
    /// Stores a subscription with its first secret.
    public func createSubscription(_ new: NewSubscription, secret: String, role: Role, actor: Actor) async throws -> Subscription {
        let time = now()
        let subscription = Subscription(id: newID("sub"), sink: new.sink, filters: new.filters, description: new.description,
                                        role: role, createdAt: time, updatedAt: time)
        try await execute("""
            INSERT INTO subscriptions (id, sink, filters, description, secrets, role, status, created_at, updated_at)
            VALUES (\(bind: subscription.id), \(bind: subscription.sink), \(bind: subscription.filters.jsonString),
                    \(bind: subscription.description), \(bind: JSONValue.array([.string(secret)]).jsonString),
                    \(bind: role.rawValue), \(bind: subscription.status.rawValue), \(bind: time.microseconds), \(bind: time.microseconds))
            """)
        append(.change("subscription", "created", subject: subscription.id, record: subscription.json, changedFields: ["sink", "filters"],
                       actor: actor))
        return subscription
    }

    /// Removes a subscription and its delivery log.
    public func deleteSubscription(_ id: String, actor: Actor) async throws {
        guard try await firstRow("SELECT id FROM subscriptions WHERE id = \(bind: id)") != nil else {
            throw StoreError.notFound("subscription", id)
        }
        try await execute("DELETE FROM webhook_deliveries WHERE subscription_id = \(bind: id)")
        try await execute("DELETE FROM subscriptions WHERE id = \(bind: id)")
        append(.change("subscription", "deleted", subject: id, record: ["id": .string(id)], changedFields: [], actor: actor))
    }

    /// Queues the events for their subscriptions (one delivery per subscription and event, however
    /// often this runs) and moves the consumer's position, in one transaction.
    public func enqueueDeliveries(_ plan: [(event: Event, subscriptionIDs: [String])], consumer: String, position: Int64) async throws {
        let time = now().microseconds
        for (event, subscriptionIDs) in plan {
            for subscriptionID in subscriptionIDs {
                let exists = try await firstRow("""
                    SELECT id FROM webhook_deliveries WHERE subscription_id = \(bind: subscriptionID) AND event_id = \(bind: event.id)
                    """)
                guard exists == nil else { continue }
                try await execute("""
                    INSERT INTO webhook_deliveries (id, subscription_id, event_sequence, event_id, subject, status, attempts,
                                                    next_attempt_at, created_at, updated_at)
                    VALUES (\(bind: newID("dlv")), \(bind: subscriptionID), \(bind: event.sequence), \(bind: event.id),
                            \(bind: event.subject), 'pending', 0, \(bind: time), \(bind: time), \(bind: time))
                    """)
            }
        }
        try await savePosition(of: consumer, at: position)
    }

    /// Records one attempt: delivered, retried at `nextAttempt`, or a dead letter; with a
    /// `disableReason` (410 Gone) the subscription is disabled and its queue cancelled.
    public func recordAttempt(_ deliveryID: String, status: WebhookDelivery.Status, nextAttempt: Timestamp?, httpStatus: Int?,
                              latencyMilliseconds: Int, error: String?, disableReason: String?) async throws {
        let time = now().microseconds
        try await execute("""
            UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = attempts + 1,
                lease_owner = NULL, lease_until = NULL, next_attempt_at = \(bind: nextAttempt?.microseconds), last_status = \(bind: httpStatus),
                last_latency_ms = \(bind: latencyMilliseconds), last_error = \(bind: error), updated_at = \(bind: time)
            WHERE id = \(bind: deliveryID)
            """)
        guard let disableReason,
              let row = try await firstRow("SELECT subscription_id FROM webhook_deliveries WHERE id = \(bind: deliveryID)") else { return }
        let subscriptionID = try row.string("subscription_id")
        try await execute("""
            UPDATE subscriptions SET status = 'disabled', disabled_reason = \(bind: disableReason), updated_at = \(bind: time)
            WHERE id = \(bind: subscriptionID)
            """)
        try await execute("""
            UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = \(bind: time)
            WHERE subscription_id = \(bind: subscriptionID) AND status = 'pending'
            """)
        append(.change("subscription", "disabled", subject: subscriptionID,
                       record: ["id": .string(subscriptionID), "reason": .string(disableReason)], changedFields: ["status"], actor: .system))
    }

    /// Leases up to `limit` due deliveries to `owner` until `until`: of active subscriptions, not
    /// leased by a live node, each the oldest pending one of its customer (subject) for its
    /// subscription so one customer's events arrive in order. On PostgreSQL rows another node is
    /// claiming are skipped (`SKIP LOCKED`); a dead node's leases lapse and are taken over.
    public func leaseDueDeliveries(owner: String, until: Timestamp, limit: Int) async throws -> [WebhookDelivery] {
        let now = now().microseconds
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""
        let due = try await rows("""
            SELECT d.id FROM webhook_deliveries d JOIN subscriptions s ON s.id = d.subscription_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND s.status = 'active'
              AND (d.lease_until IS NULL OR d.lease_until < \(bind: now))
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id
                              AND e.subject = d.subject AND e.status = 'pending' AND e.event_sequence < d.event_sequence)
            ORDER BY d.event_sequence LIMIT \(bind: limit)
            """ + skipLocked).map { try $0.string("id") }
        guard !due.isEmpty else { return [] }
        try await execute("""
            UPDATE webhook_deliveries SET lease_owner = \(bind: owner), lease_until = \(bind: until.microseconds)
            WHERE id IN (\(binds: due))
            """)
        return try await rows("SELECT * FROM webhook_deliveries WHERE id IN (\(binds: due)) ORDER BY event_sequence")
            .map(SubscriptionRows.delivery)
    }

    /// Puts a delivery back in the queue, due now, with a fresh set of attempts.
    public func redeliver(_ deliveryID: String, of subscriptionID: String) async throws -> WebhookDelivery {
        guard try await firstRow("""
            SELECT id FROM webhook_deliveries WHERE id = \(bind: deliveryID) AND subscription_id = \(bind: subscriptionID)
            """) != nil else { throw StoreError.notFound("delivery", deliveryID) }
        let time = now().microseconds
        try await execute("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(bind: time), lease_owner = NULL,
                lease_until = NULL, updated_at = \(bind: time)
            WHERE id = \(bind: deliveryID)
            """)
        guard let row = try await firstRow("SELECT * FROM webhook_deliveries WHERE id = \(bind: deliveryID)") else {
            throw StoreError.notFound("delivery", deliveryID)
        }
        return try SubscriptionRows.delivery(row)
    }
}

extension Store {
    public func subscriptions() async throws -> [Subscription] {
        try await read { try await $0.raw("SELECT * FROM subscriptions ORDER BY id").all().map(SubscriptionRows.subscription) }
    }

    public func subscription(_ id: String) async throws -> Subscription? {
        try await read { try await $0.raw("SELECT * FROM subscriptions WHERE id = \(bind: id)").first().map(SubscriptionRows.subscription) }
    }

    /// The signing secrets of a subscription, newest first.
    public func subscriptionSecrets(_ id: String) async throws -> [String] {
        try await read { database in
            guard let row = try await database.raw("SELECT secrets FROM subscriptions WHERE id = \(bind: id)").first() else { return [] }
            return (try JSONParser.parse(try row.string("secrets")).arrayValue ?? []).compactMap(\.stringValue)
        }
    }

    /// A subscription's delivery log, newest first.
    public func deliveries(of subscriptionID: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { database in
            try await database.raw("""
                SELECT * FROM webhook_deliveries WHERE subscription_id = \(bind: subscriptionID)
                ORDER BY event_sequence DESC LIMIT \(bind: limit)
                """).all().map(SubscriptionRows.delivery)
        }
    }

    /// Whether any delivery is due now (a cheap read before taking leases in a write).
    public func hasDueDeliveries() async throws -> Bool {
        let now = Timestamp.now().microseconds
        return try await read { database in
            try await database.raw("""
                SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: now) LIMIT 1
                """).first() != nil
        }
    }

    /// The event at a log position.
    public func event(at sequence: Int64) async throws -> Event? {
        try await events(after: sequence - 1, limit: 1).first { $0.sequence == sequence }
    }
}

enum SubscriptionRows {
    static func subscription(_ row: any SQLRow) throws -> Subscription {
        Subscription(
            id: try row.string("id"), sink: try row.string("sink"),
            filters: (try? JSONParser.parse(try row.string("filters"))) ?? .array([]),
            description: try row.optionalString("description"), role: Role(rawValue: try row.string("role")) ?? .viewer,
            status: Subscription.Status(rawValue: try row.string("status")) ?? .disabled,
            disabledReason: try row.optionalString("disabled_reason"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.string("id"), subscriptionID: try row.string("subscription_id"), eventSequence: try row.int64("event_sequence"),
            eventID: try row.string("event_id"), subject: try row.string("subject"),
            status: WebhookDelivery.Status(rawValue: try row.string("status")) ?? .failed,
            attempts: Int(try row.int64("attempts")), nextAttemptAt: try row.optionalTimestamp("next_attempt_at"),
            lastStatus: try row.decode(column: "last_status", as: Int?.self),
            lastLatencyMilliseconds: try row.decode(column: "last_latency_ms", as: Int?.self),
            lastError: try row.optionalString("last_error"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
