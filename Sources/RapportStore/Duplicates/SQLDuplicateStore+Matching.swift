import RapportCore
import SQLKit

/// A trained match model as stored, with what it was trained on.
public struct StoredMatchModel: Sendable {
    public var version: Int64
    public var model: MatchModel
    public var summary: JSONValue
    public var createdAt: Timestamp
}

extension SQLDuplicateStore {
    /// How many customers stand.
    public func standingCustomerCount() async throws -> Int {
        try await read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM customers WHERE deleted_at IS NULL AND merged_into IS NULL")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Every standing customer in an index for `profile`; `progress` hears the count so far.
    /// The next page is read while the current one goes into the index.
    public func matchIndex(profile: MatchProfile, pageSize: Int,
                           progress: @Sendable (Int) -> Void) async throws -> MatchIndex {
        var index = try MatchIndex(profile: profile)
        var loaded = 0
        var page = try await matchingCustomers(after: nil, limit: pageSize)
        while !page.isEmpty {
            let last = page.count == pageSize ? page.last?.id : nil
            async let next = pageAfter(last, limit: pageSize)
            index.upsert(contentsOf: page)
            loaded += page.count
            progress(loaded)
            page = try await next
        }
        return index
    }

    /// The page after `id`, or nothing when there is no `id` (the previous page was the last).
    private func pageAfter(_ id: String?, limit: Int) async throws -> [Customer] {
        guard let id else { return [] }
        return try await matchingCustomers(after: id, limit: limit)
    }

    /// Standing customers with only what matching reads (names, identities, addresses,
    /// attributes), in id order: fewer columns and one range scan of identities per page.
    public func matchingCustomers(after id: String?, limit: Int) async throws -> [Customer] {
        try await read { database in
            let after: SQLQueryString = id.map { " AND id > \(bind: $0)" } ?? ""
            let rows = try await database.raw("""
                SELECT id, name, given_name, family_name, addresses, attributes FROM customers
                WHERE deleted_at IS NULL AND merged_into IS NULL
                """ + after + " ORDER BY id LIMIT \(bind: limit)").all()
            var customers: [Customer] = []
            customers.reserveCapacity(rows.count)
            let epoch = Timestamp(microseconds: 0)
            for row in rows {
                customers.append(Customer(
                    id: try row.string("id"), kind: .person, name: try row.string("name"),
                    givenName: try row.optionalString("given_name"), familyName: try row.optionalString("family_name"),
                    addresses: CustomerRows.addresses(fromText: try row.string("addresses")),
                    attributes: try row.jsonObject("attributes"), createdAt: epoch, updatedAt: epoch))
            }
            guard let first = customers.first?.id, let last = customers.last?.id else { return customers }
            let identityRows = try await database.raw("""
                SELECT customer_id, kind, value FROM identities WHERE customer_id >= \(bind: first) AND customer_id <= \(bind: last)
                ORDER BY customer_id, position
                """).all()
            var positions: [String: Int] = [:]
            for (offset, customer) in customers.enumerated() { positions[customer.id] = offset }
            for row in identityRows {
                guard let offset = positions[try row.string("customer_id")],
                      let kind = IdentityKind(rawValue: try row.string("kind")) else { continue }
                customers[offset].identities.append(Identity(kind: kind, value: try row.string("value")))
            }
            return customers
        }
    }

    /// The newest trained model, if any was saved.
    public func latestMatchModel() async throws -> StoredMatchModel? {
        try await read { database in
            guard let row = try await database.raw("SELECT * FROM match_models ORDER BY version DESC LIMIT 1").first() else {
                return nil
            }
            return StoredMatchModel(version: try row.int64("version"),
                                    model: try MatchModel(json: try JSONParser.parse(try row.string("model"))),
                                    summary: (try? JSONParser.parse(try row.string("summary"))) ?? .null,
                                    createdAt: try row.timestamp("created_at"))
        }
    }

    /// Estimates a model from `index` without labels (EM), refines it with every decided pair of
    /// the review queue, and saves it as the next version.
    public func trainMatchModel(index: MatchIndex, profile: MatchProfile, actor: Actor) async throws -> StoredMatchModel {
        let start = ContinuousClock.now
        let labelled = try await labelledDuplicatePairs()
        func vectors(_ explanations: [JSONValue]) -> [ComparisonVector] {
            explanations.compactMap { explanation in
                guard let grades = explanation.objectValue?["grades"]?.arrayValue, grades.count == profile.fields.count else {
                    return nil
                }
                return ComparisonVector(grades: grades.map { $0.intValue.map(Int.init) })
            }
        }
        let model = MatchModel.estimate(from: index)
            .refined(confirmed: vectors(labelled.confirmed), rejected: vectors(labelled.rejected))
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let summary: JSONValue = [
            "customers": .integer(Int64(index.count)), "confirmed_pairs": .integer(Int64(labelled.confirmed.count)),
            "rejected_pairs": .integer(Int64(labelled.rejected.count)), "match_probability": .double(model.matchProbability),
            "seconds": .double(seconds),
        ]
        return try await write { tx in try await saveMatchModel(model, summary: summary, actor: actor, in: tx) }
    }

    /// The matching settings in force (the defaults until some are saved).
    public func matchingSettings() async throws -> MatchingSettings {
        guard let document = try await read({ try await SettingsRows.document(SettingKeys.matching, on: $0) }) else { return MatchingSettings() }
        return (try? MatchingSettings.read(document)) ?? MatchingSettings()
    }
}

extension SQLDuplicateStore {
    /// Saves a newly trained model as the next version.
    public func saveMatchModel(_ model: MatchModel, summary: JSONValue, actor: Actor,
                               in tx: WriteTransaction) async throws -> StoredMatchModel {
        let head = try await tx.firstRow("SELECT COALESCE(MAX(version), 0) AS v FROM match_models")?.int64("v") ?? 0
        let stored = StoredMatchModel(version: head + 1, model: model, summary: summary, createdAt: tx.now())
        try await tx.execute("""
            INSERT INTO match_models (version, model, summary, created_at)
            VALUES (\(bind: stored.version), \(bind: model.json.jsonString), \(bind: summary.jsonString), \(bind: stored.createdAt.microseconds))
            """)
        tx.append(.change("match_model", "trained", subject: "match_model", record: ["version": .integer(stored.version), "summary": summary],
                       changedFields: ["model"], actor: actor))
        return stored
    }

    /// Replaces the matching settings.
    public func setMatchingSettings(_ settings: MatchingSettings, actor: Actor, in tx: WriteTransaction) async throws {
        try await store.settings.replaceSetting(SettingKeys.matching, with: settings.json, actor: actor, in: tx)
    }
}
