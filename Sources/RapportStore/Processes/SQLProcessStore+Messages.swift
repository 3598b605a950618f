import RapportCore
import RapportFlow
import SQLKit

extension SQLProcessStore {
    public func correlateMessage(_ name: String, correlationKey: String, variables: [String: JSONValue], by actor: Actor,
                                 in tx: WriteTransaction) async throws -> MessageCorrelation {
        let waiting = try await tx.rows("""
            SELECT instance_id, token, node FROM process_message_subscriptions WHERE message = \(bind: name) AND correlation_key = \(bind: correlationKey)
            ORDER BY created_at, instance_id, token, node
            """)
        var correlation = MessageCorrelation()
        for row in waiting {
            let (instanceID, token, node) = (try row.string("instance_id"), try row.int64("token"), try row.string("node"))
            guard try await takeSubscription("process_message_subscriptions", instanceID, token, node, in: tx) else { continue }
            correlation.correlated.append(try await advance(instanceID, with: .messageReceived(token: Int(token), node: node, variables: variables),
                                                            by: actor, in: tx))
        }
        // Message start events: each process whose newest version starts on this message starts once.
        for deployed in try await newestDefinitions(in: tx, matching: { !$0.messageStarts.isEmpty }) {
            guard let start = deployed.process.messageStart(named: name) else { continue }
            let customerID = correlationKey.hasPrefix("cus_")
                ? try? await store.customers.subject(customerID: correlationKey, conversationID: nil, in: tx).customerID : nil
            correlation.started.append(try await begin(deployed, from: start, variables: variables, customerID: customerID,
                                                       businessKey: customerID == nil ? correlationKey : nil, by: actor, in: tx))
        }
        return correlation
    }

    /// The CRM event being handled, while its deliveries and starts run: what they subscribe to
    /// takes the events after it on the log.
    @TaskLocal static var causingEvent: Int64?

    static func pair(_ message: String, _ key: String) -> String { message + "\u{0}" + key }

    /// The (message, key) pairs some token waits for among these events' (type, subject).
    func subscribedPairs(for events: [Event], in tx: WriteTransaction) async throws -> Set<String> {
        let types = Array(Set(events.map(\.type))), subjects = Array(Set(events.map(\.subject)))
        let rows = try await tx.rows("""
            SELECT DISTINCT message, correlation_key FROM process_message_subscriptions
            WHERE message IN (\(binds: types)) AND correlation_key IN (\(binds: subjects))
            """)
        return Set(try rows.map { Self.pair(try $0.string("message"), try $0.string("correlation_key")) })
    }

    /// Delivers a CRM event to the tokens waiting for a message named as its type with its subject
    /// as key, subscribed before it happened (or, when subscribed while an earlier event was
    /// handled, after that one on the log); the event is variable `event`.
    func deliver(_ event: Event, in tx: WriteTransaction) async throws -> Int {
        let rows = try await tx.rows("""
            SELECT instance_id, token, node FROM process_message_subscriptions
            WHERE message = \(bind: event.type) AND correlation_key = \(bind: event.subject)
              AND ((after_sequence IS NULL AND created_at <= \(bind: event.time.microseconds)) OR after_sequence < \(bind: event.sequence))
            ORDER BY created_at, instance_id, token, node
            """)
        var delivered = 0
        for row in rows {
            let (instanceID, token, node) = (try row.string("instance_id"), try row.int64("token"), try row.string("node"))
            guard try await takeSubscription("process_message_subscriptions", instanceID, token, node, in: tx) else { continue }
            do {
                _ = try await Self.$causingEvent.withValue(event.sequence) {
                    try await advance(instanceID, with: .messageReceived(token: Int(token), node: node, variables: ["event": Self.variable(of: event)]),
                                      by: Actor(kind: .system, id: "process-triggers"), in: tx)
                }
                delivered += 1
            } catch let error as StoreError where error.code == .conflict {
                // An earlier delivery of this event ended the token (its instance terminated); the
                // refusal comes before anything is written.
                continue
            }
        }
        return delivered
    }

    /// Deletes a subscription row before it is delivered; false when it is gone already (an earlier
    /// delivery of the same window moved its token on).
    func takeSubscription(_ table: SQLQueryString, _ instanceID: String, _ token: Int64, _ node: String,
                          in tx: WriteTransaction) async throws -> Bool {
        let condition: SQLQueryString = " WHERE instance_id = \(bind: instanceID) AND token = \(bind: token) AND node = \(bind: node)"
        guard try await tx.firstRow("SELECT token FROM " + table + condition) != nil else { return false }
        try await tx.execute("DELETE FROM " + table + condition)
        return true
    }

    public func hasEventSubscriptions() async throws -> Bool {
        try await read { try await $0.raw("SELECT token FROM process_message_subscriptions WHERE message LIKE 'rapport.%' LIMIT 1").first() } != nil
    }

    static func isProcessEvent(_ event: Event) -> Bool {
        event.type.hasPrefix("rapport.process.") || event.type.hasPrefix("rapport.process_definition.")
    }

    /// An event as a process variable.
    static func variable(of event: Event) -> JSONValue {
        ["id": .string(event.id), "type": .string(event.type), "subject": .string(event.subject),
         "time": .string(event.time.rfc3339), "sequence": .integer(event.sequence), "data": event.data]
    }
}
