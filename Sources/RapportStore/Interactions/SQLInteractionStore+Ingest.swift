import RapportCore
import SQLKit

/// What ingesting an interaction did: stored a new one, or found the same external id stored before.
public struct IngestResult: Sendable {
    public var interaction: Interaction
    /// `interaction.json`, built once for both the event and the response.
    public var record: JSONValue
    public var created: Bool
    /// Set when an unknown identity created this customer in the same transaction.
    public var createdCustomerID: String?
}

extension SQLInteractionStore {
    public func prepareIngest(_ new: NewInteraction) -> PreparedRouting? {
        store.ingestRouting.routing?.prepare(new)
    }

    /// Records a touchpoint: resolves the identity (creating the customer when unknown), and
    /// returns the stored interaction instead of a second one when the external id repeats.
    public func ingestInteraction(_ new: NewInteraction, actor: Actor, prepared: PreparedRouting?,
                                  in tx: WriteTransaction) async throws -> IngestResult {
        try await requireChannel(new.channelID, in: tx)
        // A retry is answered with what was stored, before anything (a customer) is created.
        // With a prefetched batch, this and the identity lookup cost no statement of their own.
        if let stored = try await storedInteraction(new, in: tx) {
            return IngestResult(interaction: stored, record: stored.json, created: false, createdCustomerID: nil)
        }
        let customerID: String
        var createdCustomerID: String?
        switch new.party {
        case .customer(let id):
            customerID = try await survivingCustomerID(of: id, in: tx)
        case .identity(let identity):
            if let holder = try await store.customers.customerID(holding: identity, in: tx) {
                customerID = holder
            } else {
                let customer = try await store.customers.createCustomer(NewCustomer(name: new.customerName ?? identity.value, identities: [identity]),
                                                        actor: actor, channelID: new.channelID, identitiesKnownFree: true, in: tx)
                customerID = customer.id
                createdCustomerID = customer.id
            }
        }
        // Joins the batch's multi-row insert. A node that stores the same external id meanwhile
        // makes the unique index fail the batch; its jobs then rerun one by one and find it.
        let interaction = makeInteraction(new, customerID: customerID, in: tx)
        tx.bufferInsert(interaction)
        // Threaded with the rest of the batch, in this transaction: the answer's interaction is
        // already in its conversation.
        let conversations = store.conversations
        tx.beforeCommit("threading") { tx in try await conversations.threadIngested(tx.storedInteractions, in: tx) }
        // Then routed in it too, when the router has set that up (see `IngestRouting`).
        if let routing = store.ingestRouting.routing {
            if let prepared { tx.keep(prepared, forInteraction: interaction.id) }
            tx.beforeCommit("routing") { tx in try await routing.routeIngested(in: tx) }
        }
        let record = interaction.json
        tx.append(.change("interaction", "created", subject: customerID, record: record,
                       changedFields: [], actor: actor, channelID: interaction.channelID))
        return IngestResult(interaction: interaction, record: record, created: true, createdCustomerID: createdCustomerID)
    }

    /// Fails with a field-named error unless the channel exists; known channels are remembered.
    private func requireChannel(_ id: String, in tx: WriteTransaction) async throws {
        if tx.memo.knownChannels.contains(id) { return }
        guard try await tx.firstRow("SELECT id FROM channels WHERE id = \(bind: id)") != nil else {
            throw StoreError(.invalidReference, "channel \(id) does not exist", field: "channel_id")
        }
        tx.memo.knownChannels.insert(id)
    }

    /// The customer that stands for `id` now: itself, or the survivor of the merges that absorbed it.
    func survivingCustomerID(of id: String, in tx: WriteTransaction) async throws -> String {
        var current = id
        for _ in 0...Self.maxMergeDepth {
            guard let row = try await tx.firstRow("SELECT deleted_at, merged_into FROM customers WHERE id = \(bind: current)"),
                  try row.optionalTimestamp("deleted_at") == nil else { break }
            guard let survivor = try row.optionalString("merged_into") else { return current }
            current = survivor
        }
        throw StoreError(.invalidReference, "customer \(id) does not exist", field: "customer_id")
    }

    /// How many merges deep an absorbed id is followed.
    static let maxMergeDepth = 32

    private func makeInteraction(_ new: NewInteraction, customerID: String, in tx: WriteTransaction) -> Interaction {
        let now = tx.now()
        return Interaction(
            id: tx.newID("int"), customerID: customerID, channelID: new.channelID, direction: new.direction, kind: new.kind,
            subject: new.subject, body: new.body, metadata: new.metadata, occurredAt: new.occurredAt ?? now,
            externalID: new.externalID, createdAt: now)
    }

    /// The interaction stored earlier under the same channel and external id, if any.
    private func storedInteraction(_ new: NewInteraction, in tx: WriteTransaction) async throws -> Interaction? {
        guard let externalID = new.externalID else { return nil }
        let key = ExternalKey(channelID: new.channelID, externalID: externalID)
        if case .some(let known) = tx.lookups.interaction(for: key) { return known }
        let stored = try await tx.firstRow("""
            SELECT * FROM interactions WHERE channel_id = \(bind: new.channelID) AND external_id = \(bind: externalID)
            """).map(InteractionRows.decode)
        tx.lookups.remember(stored, for: key)
        return stored
    }
}

/// Which interactions a list returns.
public struct InteractionFilter: Sendable, Equatable {
    public var customerID: String?
    public var channelID: String?
    public var externalID: String?

    public init(customerID: String? = nil, channelID: String? = nil, externalID: String? = nil) {
        self.customerID = customerID
        self.channelID = channelID
        self.externalID = externalID
    }
}

extension SQLInteractionStore {
    public func interaction(_ id: String) async throws -> Interaction? {
        try await read { database in
            try await database.raw("SELECT * FROM interactions WHERE id = \(bind: id)").first().map(InteractionRows.decode)
        }
    }

    /// Interactions in id (arrival) order.
    public func interactions(matching filter: InteractionFilter, limit: Int, cursor: String?) async throws -> Page<Interaction> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let cursor { conditions.append("id > \(bind: try ListCursor.decode(cursor))") }
        if let customer = filter.customerID { conditions.append("customer_id = \(bind: customer)") }
        if let channel = filter.channelID { conditions.append("channel_id = \(bind: channel)") }
        if let external = filter.externalID { conditions.append("external_id = \(bind: external)") }
        let query: SQLQueryString = "SELECT * FROM interactions WHERE " + conditions.joined(separator: " AND ")
            + " ORDER BY id LIMIT \(bind: limit + 1)"
        let rows = try await read { try await $0.raw(query).all().map(InteractionRows.decode) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: rows.count > limit ? items.last.map { ListCursor.encode($0.id) } : nil)
    }

    /// A customer's interactions from every channel in time order (oldest first unless `newestFirst`).
    public func timeline(of customerID: String, newestFirst: Bool, limit: Int, cursor: String?) async throws -> Page<Interaction> {
        var query: SQLQueryString = "SELECT * FROM interactions WHERE customer_id = \(bind: customerID)"
        if let cursor {
            let (time, id) = try ListCursor.decodePair(cursor)
            query += newestFirst
                ? " AND (occurred_at < \(bind: time) OR (occurred_at = \(bind: time) AND id < \(bind: id)))"
                : " AND (occurred_at > \(bind: time) OR (occurred_at = \(bind: time) AND id > \(bind: id)))"
        }
        query += newestFirst ? " ORDER BY occurred_at DESC, id DESC" : " ORDER BY occurred_at, id"
        query += " LIMIT \(bind: limit + 1)"
        let finalQuery = query
        let rows = try await read { try await $0.raw(finalQuery).all().map(InteractionRows.decode) }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { ListCursor.encode($0.occurredAt.microseconds, $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }
}

enum InteractionRows {
    /// Inserts rows in one statement.
    static func insert(_ interactions: ArraySlice<Interaction>, on database: any SQLDatabase) async throws {
        var insert = RowsInsert(into: "interactions", columns: [
            "id", "customer_id", "channel_id", "direction", "kind", "subject", "body", "metadata", "occurred_at", "external_id",
            "created_at",
        ], reservingRows: interactions.count)
        for interaction in interactions {
            insert.append(interaction.id, interaction.customerID, interaction.channelID, interaction.direction.rawValue,
                          interaction.kind.rawValue, interaction.subject, interaction.body,
                          JSONValue.object(interaction.metadata).jsonString, interaction.occurredAt.microseconds,
                          interaction.externalID, interaction.createdAt.microseconds)
        }
        try await insert.run(on: database)
    }

    static func decode(_ row: any SQLRow) throws -> Interaction {
        Interaction(
            id: try row.string("id"), customerID: try row.string("customer_id"), channelID: try row.string("channel_id"),
            direction: try storedEnum(try row.string("direction")), kind: try storedEnum(try row.string("kind")),
            subject: try row.optionalString("subject"), body: try row.optionalString("body"),
            metadata: try row.jsonObject("metadata"), occurredAt: try row.timestamp("occurred_at"),
            externalID: try row.optionalString("external_id"), createdAt: try row.timestamp("created_at"))
    }
}
