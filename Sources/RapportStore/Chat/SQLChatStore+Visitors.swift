import Foundation
import RapportCore
import SQLKit

extension SQLChatStore {
    public func visit(channelID: String, token: String?, name: String?, identities: [Identity], actor: Actor,
                      in tx: WriteTransaction) async throws -> (token: String, customerID: String) {
        guard let channel = try await ChannelRows.find(id: channelID, on: tx.database), channel.kind == .chat else {
            throw StoreError.notFound("chat channel", channelID)
        }
        let visitor = token.flatMap { Self.isToken($0) ? $0 : nil } ?? Self.newToken()
        let device = Self.device(visitor)
        var current = try await store.customers.customerID(holding: device, in: tx)
        if current == nil {
            // A new visitor: the customer an identity already names, or a new one with them all.
            var holders: [String] = []
            for identity in identities {
                if let holder = try await store.customers.customerID(holding: identity, in: tx) { holders.append(holder) }
            }
            if let target = holders.first {
                _ = try await store.customers.addIdentity(device, to: target, actor: actor, in: tx)
                current = target
            } else {
                let created = try await store.customers.createCustomer(
                    NewCustomer(name: name ?? "Visitor " + visitor.prefix(6), identities: [device] + identities),
                    actor: actor, channelID: channelID, identitiesKnownFree: true, in: tx)
                return (visitor, created.id)
            }
        }
        guard var current else { throw StoreError(.unavailable, "the visitor could not be resolved") }
        for identity in identities {
            if let holder = try await store.customers.customerID(holding: identity, in: tx) {
                if holder != current {
                    // The site (or the visitor) says who this is: the visitor's record joins that customer,
                    // whose name stays (the visitor's record is newer, and its name was made up here).
                    var keepName = CustomerPatch()
                    keepName.name = try await CustomerRows.findVersioned(id: holder, forUpdate: false, on: tx.database)?.customer.name
                    _ = try await store.merges.mergeCustomers(into: holder, absorbing: [current], overrides: keepName, actor: actor, in: tx)
                    current = holder
                }
            } else {
                _ = try await store.customers.addIdentity(identity, to: current, actor: actor, in: tx)
            }
        }
        return (visitor, current)
    }

    public func prepareMessage(channelID: String, customerID: String, text: String) -> PreparedRouting? {
        store.interactions.prepareIngest(NewInteraction(channelID: channelID, party: .customer(customerID), direction: .inbound,
                                                        kind: .message, body: text))
    }

    public func post(channelID: String, token: String, customerID: String, clientID: String, text: String, files: [MailAttachment],
                     prepared: PreparedRouting?, actor: Actor, in tx: WriteTransaction) async throws -> Interaction {
        var metadata = JSONObject()
        metadata["thread_id"] = .string(Self.threadKey(token))
        metadata["client_id"] = .string(clientID)
        let summaries = Self.summaries(of: files)
        if !summaries.isEmpty { metadata["attachments"] = .array(summaries.map(\.json)) }
        let new = NewInteraction(channelID: channelID, party: .customer(customerID), direction: .inbound, kind: .message, body: text,
                                 metadata: metadata, externalID: "chat:\(token):\(String(clientID.prefix(100)))")
        let ingested = try await store.interactions.ingestInteraction(new, actor: actor, prepared: prepared, in: tx)
        // A message sent again after a lost connection is the one stored then, files and all.
        if ingested.created {
            try await insertFiles(summaries, contents: files.map(\.content), interactionID: ingested.interaction.id, channelID: channelID,
                                  threadKey: Self.threadKey(token), in: tx)
        }
        return ingested.interaction
    }

    public func history(channelID: String, token: String, after afterID: String?, limit: Int) async throws -> [Interaction] {
        try await read { database in
            let after: SQLQueryString = afterID.map { " AND i.id > \(bind: $0)" } ?? ""
            let rows = try await database.raw("""
                SELECT i.* FROM conversations c JOIN conversation_interactions ci ON ci.conversation_id = c.id
                JOIN interactions i ON i.id = ci.interaction_id
                WHERE c.channel_id = \(bind: channelID) AND c.thread_key = \(bind: Self.threadKey(token))
                """ + after + " ORDER BY i.id DESC LIMIT \(bind: limit)").all()
            return try rows.map(InteractionRows.decode).reversed()
        }
    }

    /// 128 random bits in lowercase hex.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    static func device(_ token: String) -> Identity { Identity(kind: .device, value: "chat-\(token)") }

    /// 32 lowercase letters and digits: what `visit` hands out.
    static func isToken(_ text: String) -> Bool {
        text.count == 32 && text.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) }
    }
}
