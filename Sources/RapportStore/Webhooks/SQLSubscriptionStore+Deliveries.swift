import RapportCore
import SQLKit

extension SQLSubscriptionStore {
    /// Stores a subscription with its first secret.
    public func createSubscription(_ new: NewSubscription, secret: String, role: Role, actor: Actor,
                                   in tx: WriteTransaction) async throws -> Subscription {
        let time = tx.now()
        let subscription = Subscription(id: tx.newID("sub"), sink: new.sink, filters: new.filters, description: new.description,
                                        role: role, createdAt: time, updatedAt: time)
        try await tx.execute("""
            INSERT INTO subscriptions (id, sink, filters, description, secrets, role, status, created_at, updated_at)
            VALUES (\(bind: subscription.id), \(bind: subscription.sink), \(bind: subscription.filters.jsonString),
                    \(bind: subscription.description), \(bind: JSONValue.array([SigningSecret(secret: secret).json]).jsonString),
                    \(bind: role.rawValue), \(bind: subscription.status.rawValue), \(bind: time.microseconds), \(bind: time.microseconds))
            """)
        tx.append(.change("subscription", "created", subject: subscription.id, record: subscription.json, changedFields: ["sink", "filters"],
                       actor: actor))
        return subscription
    }

    /// Applies a merge patch; turning a disabled subscription back on clears its reason.
    public func updateSubscription(_ id: String, changes: SubscriptionChanges, actor: Actor,
                                   in tx: WriteTransaction) async throws -> Subscription {
        guard let row = try await tx.firstRow("SELECT * FROM subscriptions WHERE id = \(bind: id)") else {
            throw StoreError.notFound("subscription", id)
        }
        var subscription = try SubscriptionRows.subscription(row)
        var changed: [String] = []
        if let sink = changes.sink, sink != subscription.sink { subscription.sink = sink; changed.append("sink") }
        if let filters = changes.filters, filters != subscription.filters { subscription.filters = filters; changed.append("filters") }
        let description = changes.description.applied(to: subscription.description)
        if description != subscription.description { subscription.description = description; changed.append("description") }
        if let status = changes.status, status != subscription.status {
            subscription.status = status
            subscription.disabledReason = status == .disabled ? "disabled by \(actor.kind.rawValue)\(actor.id.map { " " + $0 } ?? "")" : nil
            changed.append("status")
        }
        guard !changed.isEmpty else { return subscription }
        subscription.updatedAt = tx.now()
        try await tx.execute("""
            UPDATE subscriptions SET sink = \(bind: subscription.sink), filters = \(bind: subscription.filters.jsonString),
                description = \(bind: subscription.description), status = \(bind: subscription.status.rawValue),
                disabled_reason = \(bind: subscription.disabledReason), updated_at = \(bind: subscription.updatedAt.microseconds)
            WHERE id = \(bind: id)
            """)
        tx.append(.change("subscription", "updated", subject: id, record: subscription.json, changedFields: changed, actor: actor))
        return subscription
    }

    /// Makes `secret` the subscription's signing secret; older ones still valid sign too until
    /// `previousExpiresAt` (or their own earlier expiry); expired ones are dropped. Returns when
    /// the replaced secret stops signing.
    public func rotateSubscriptionSecret(_ id: String, to secret: String, previousExpiresAt: Timestamp, actor: Actor,
                                         in tx: WriteTransaction) async throws {
        guard let row = try await tx.firstRow("SELECT secrets FROM subscriptions WHERE id = \(bind: id)") else {
            throw StoreError.notFound("subscription", id)
        }
        let time = tx.now()
        let kept = SigningSecret.list(from: (try? JSONParser.parse(try row.string("secrets"))) ?? .array([]))
            .filter { $0.isValid(at: time) && previousExpiresAt > time }
            .map { SigningSecret(secret: $0.secret, expiresAt: min($0.expiresAt ?? previousExpiresAt, previousExpiresAt)) }
        let secrets = [SigningSecret(secret: secret)] + kept.prefix(4)
        try await tx.execute("""
            UPDATE subscriptions SET secrets = \(bind: JSONValue.array(secrets.map(\.json)).jsonString),
                updated_at = \(bind: time.microseconds)
            WHERE id = \(bind: id)
            """)
        tx.append(.change("subscription", "secret_rotated", subject: id, record: ["id": .string(id)], changedFields: ["secret"], actor: actor))
    }

    /// Removes a subscription and its delivery log.
    public func deleteSubscription(_ id: String, actor: Actor, in tx: WriteTransaction) async throws {
        guard try await tx.firstRow("SELECT id FROM subscriptions WHERE id = \(bind: id)") != nil else {
            throw StoreError.notFound("subscription", id)
        }
        try await tx.execute("DELETE FROM webhook_deliveries WHERE subscription_id = \(bind: id)")
        try await tx.execute("DELETE FROM subscriptions WHERE id = \(bind: id)")
        tx.append(.change("subscription", "deleted", subject: id, record: ["id": .string(id)], changedFields: [], actor: actor))
    }

    /// Queues the events for their subscriptions (one delivery per subscription and event, however
    /// often this runs) and moves the consumer's position, in one transaction.
    public func enqueueDeliveries(_ plan: [(event: Event, subscriptionIDs: [String])], consumer: String, position: Int64,
                                  in tx: WriteTransaction) async throws {
        let time = tx.now().microseconds
        var rows: [SQLQueryString] = []
        for (event, subscriptionIDs) in plan {
            for subscriptionID in subscriptionIDs {
                rows.append("""
                    (\(bind: tx.newID("dlv")), \(bind: subscriptionID), \(bind: event.sequence), \(bind: event.id),
                     \(bind: event.subject), 'pending', 0, \(bind: time), \(bind: time), \(bind: time))
                    """)
            }
        }
        // Several nodes may queue the same event at once; the first one's row stands.
        for chunk in stride(from: 0, to: rows.count, by: 400).map({ rows[$0..<min($0 + 400, rows.count)] }) {
            try await tx.execute("""
                INSERT INTO webhook_deliveries (id, subscription_id, event_sequence, event_id, subject, status, attempts,
                                                next_attempt_at, created_at, updated_at)
                VALUES \(chunk.joined(separator: ", "))
                ON CONFLICT (subscription_id, event_id) DO NOTHING
                """)
        }
        try await store.events.savePosition(of: consumer, at: position, in: tx)
    }

    /// Records attempts: delivered, retried at `nextAttempt`, or dead letters. Those that end no
    /// subscription go in one statement per 200 (a busy sender finishes hundreds a second, and a
    /// statement each would cost the writer more than the rest of the delivery); one with a
    /// `disableReason` (410 Gone) also disables its subscription and cancels its queue.
    public func recordAttempts(_ attempts: [WebhookAttempt], in tx: WriteTransaction) async throws {
        let time = tx.now().microseconds
        let plain = attempts.filter { $0.disableReason == nil }
        for chunk in stride(from: 0, to: plain.count, by: 200).map({ plain[$0..<min($0 + 200, plain.count)] }) {
            let rows: [SQLQueryString] = chunk.map { attempt in
                """
                (\(bind: attempt.deliveryID), \(bind: attempt.status.rawValue), \(bind: attempt.nextAttempt?.microseconds),
                 \(bind: attempt.httpStatus), \(bind: attempt.latencyMilliseconds), \(bind: attempt.error))
                """
            }
            try await tx.execute("""
                WITH outcome (id, status, next_attempt_at, last_status, last_latency_ms, last_error) AS (VALUES \(rows.joined(separator: ", ")))
                UPDATE webhook_deliveries SET status = outcome.status, attempts = webhook_deliveries.attempts + 1,
                    lease_owner = NULL, lease_until = NULL, next_attempt_at = CAST(outcome.next_attempt_at AS BIGINT),
                    last_status = CAST(outcome.last_status AS BIGINT), last_latency_ms = CAST(outcome.last_latency_ms AS BIGINT),
                    last_error = CAST(outcome.last_error AS TEXT), updated_at = \(bind: time)
                FROM outcome WHERE webhook_deliveries.id = outcome.id
                """)
        }
        for attempt in attempts where attempt.disableReason != nil {
            try await recordAttempt(attempt.deliveryID, status: attempt.status, nextAttempt: attempt.nextAttempt, httpStatus: attempt.httpStatus,
                                    latencyMilliseconds: attempt.latencyMilliseconds, error: attempt.error, disableReason: attempt.disableReason, in: tx)
        }
    }

    /// Records one attempt: delivered, retried at `nextAttempt`, or a dead letter; with a
    /// `disableReason` (410 Gone) the subscription is disabled and its queue cancelled.
    public func recordAttempt(_ deliveryID: String, status: WebhookDelivery.Status, nextAttempt: Timestamp?, httpStatus: Int?,
                              latencyMilliseconds: Int, error: String?, disableReason: String?, in tx: WriteTransaction) async throws {
        let time = tx.now().microseconds
        try await tx.execute("""
            UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = attempts + 1,
                lease_owner = NULL, lease_until = NULL, next_attempt_at = \(bind: nextAttempt?.microseconds), last_status = \(bind: httpStatus),
                last_latency_ms = \(bind: latencyMilliseconds), last_error = \(bind: error), updated_at = \(bind: time)
            WHERE id = \(bind: deliveryID)
            """)
        guard let disableReason,
              let row = try await tx.firstRow("SELECT subscription_id FROM webhook_deliveries WHERE id = \(bind: deliveryID)") else { return }
        let subscriptionID = try row.string("subscription_id")
        try await tx.execute("""
            UPDATE subscriptions SET status = 'disabled', disabled_reason = \(bind: disableReason), updated_at = \(bind: time)
            WHERE id = \(bind: subscriptionID)
            """)
        try await tx.execute("""
            UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = \(bind: time)
            WHERE subscription_id = \(bind: subscriptionID) AND status = 'pending'
            """)
        tx.append(.change("subscription", "disabled", subject: subscriptionID,
                       record: ["id": .string(subscriptionID), "reason": .string(disableReason)], changedFields: ["status"], actor: .system))
    }

    /// Leases up to `limit` due deliveries to `owner` until `until`: of active subscriptions, not
    /// leased by a live node, each the oldest pending one of its customer (subject) for its
    /// subscription so one customer's events arrive in order. On PostgreSQL rows another node is
    /// claiming are skipped (`SKIP LOCKED`); a dead node's leases lapse and are taken over.
    public func leaseDueDeliveries(owner: String, until: Timestamp, limit: Int, in tx: WriteTransaction) async throws -> [WebhookDelivery] {
        let now = tx.now().microseconds
        let skipLocked: SQLQueryString = flavor == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""
        // Walk the pending queue in log order and stop at the limit. Without statistics SQLite would
        // take the (status, next_attempt_at) index and sort every due row, checking each one's
        // customer order first: a cost that grows with the backlog, so a sender that falls behind
        // would fall further behind.
        let inLogOrder: SQLQueryString = flavor == .sqlite ? " INDEXED BY webhook_deliveries_pending" : ""
        let due = try await tx.rows("""
            SELECT d.id FROM webhook_deliveries d\(inLogOrder) JOIN subscriptions s ON s.id = d.subscription_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND s.status = 'active'
              AND (d.lease_until IS NULL OR d.lease_until < \(bind: now))
              AND d.event_sequence = (SELECT MIN(e.event_sequence) FROM webhook_deliveries e WHERE e.status = 'pending'
                                      AND e.subscription_id = d.subscription_id AND e.subject = d.subject)
            ORDER BY d.event_sequence LIMIT \(bind: limit)
            """ + skipLocked).map { try $0.string("id") }
        guard !due.isEmpty else { return [] }
        try await tx.execute("""
            UPDATE webhook_deliveries SET lease_owner = \(bind: owner), lease_until = \(bind: until.microseconds)
            WHERE id IN (\(binds: due))
            """)
        return try await tx.rows("SELECT * FROM webhook_deliveries WHERE id IN (\(binds: due)) ORDER BY event_sequence")
            .map(SubscriptionRows.delivery)
    }

    /// Puts a delivery back in the queue, due now, with a fresh set of attempts.
    public func redeliver(_ deliveryID: String, of subscriptionID: String, in tx: WriteTransaction) async throws -> WebhookDelivery {
        guard try await tx.firstRow("""
            SELECT id FROM webhook_deliveries WHERE id = \(bind: deliveryID) AND subscription_id = \(bind: subscriptionID)
            """) != nil else { throw StoreError.notFound("delivery", deliveryID) }
        let time = tx.now().microseconds
        try await tx.execute("""
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(bind: time), lease_owner = NULL,
                lease_until = NULL, updated_at = \(bind: time)
            WHERE id = \(bind: deliveryID)
            """)
        guard let row = try await tx.firstRow("SELECT * FROM webhook_deliveries WHERE id = \(bind: deliveryID)") else {
            throw StoreError.notFound("delivery", deliveryID)
        }
        return try SubscriptionRows.delivery(row)
    }
}

extension SQLSubscriptionStore {
    public func subscriptions() async throws -> [Subscription] {
        try await read { try await $0.raw("SELECT * FROM subscriptions ORDER BY id").all().map(SubscriptionRows.subscription) }
    }

    public func subscription(_ id: String) async throws -> Subscription? {
        try await read { try await $0.raw("SELECT * FROM subscriptions WHERE id = \(bind: id)").first().map(SubscriptionRows.subscription) }
    }

    /// The secrets that sign a subscription's deliveries now, newest first.
    public func subscriptionSecrets(_ id: String) async throws -> [String] {
        let time = clock()
        return try await read { database in
            guard let row = try await database.raw("SELECT secrets FROM subscriptions WHERE id = \(bind: id)").first() else { return [] }
            return SigningSecret.list(from: try JSONParser.parse(try row.string("secrets"))).filter { $0.isValid(at: time) }.map(\.secret)
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

    /// Whether any delivery is due now and not leased (a cheap read before taking leases in a write).
    public func hasDueDeliveries() async throws -> Bool {
        let now = Timestamp.now().microseconds
        return try await read { database in
            try await database.raw("""
                SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                  AND (lease_until IS NULL OR lease_until < \(bind: now)) LIMIT 1
                """).first() != nil
        }
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
