import RapportCore
import SQLKit

/// What one transaction knows without asking the database again: identity holders and stored
/// interactions, read in bulk for the batch and kept true as the batch's own jobs change them.
///
/// A missing entry means "not known"; callers then ask the database.
final class BatchLookups: @unchecked Sendable {
    // Only the writer task uses an instance.
    enum Holder: Equatable {
        case customer(String)
        case nobody
    }

    private(set) var holders: [Identity: Holder] = [:]
    private(set) var interactions: [ExternalKey: Interaction?] = [:]

    /// Reads what the batch declared, in at most one statement per kind.
    func load(_ prefetches: [WritePrefetch], on database: any SQLDatabase) async throws {
        let identities = Array(Set(prefetches.flatMap(\.identities)))
        for chunk in stride(from: 0, to: identities.count, by: 400) {
            let part = identities[chunk..<min(chunk + 400, identities.count)]
            for identity in part { holders[identity] = .nobody }
            let rows = try await database.raw(Self.holdersQuery(StatementShape.padded(part))).all()
            for row in rows {
                let identity = Identity(kind: try storedEnum(try row.string("kind")), value: try row.string("value"))
                holders[identity] = .customer(try row.string("customer_id"))
            }
        }
        let keys = Array(Set(prefetches.flatMap(\.interactions)))
        for chunk in stride(from: 0, to: keys.count, by: 400) {
            let part = keys[chunk..<min(chunk + 400, keys.count)]
            for key in part { interactions[key] = .some(nil) }
            let rows = try await database.raw(Self.storedInteractionsQuery(StatementShape.padded(part))).all()
            for row in rows {
                let interaction = try InteractionRows.decode(row)
                if let externalID = interaction.externalID {
                    interactions[ExternalKey(channelID: interaction.channelID, externalID: externalID)] = .some(interaction)
                }
            }
        }
    }

    // A join with the wanted pairs probes an index per pair on both backends (the SQLite bundled
    // here also does for `(kind, value) IN (VALUES …)`, older ones scan); a chain of ORs may scan.
    // `BatchLookupPlanTests` holds them to that.

    /// Who holds these identities.
    static func holdersQuery(_ identities: some Collection<Identity>) -> SQLQueryString {
        let pairs: [SQLQueryString] = identities.map { "(\(bind: $0.kind.rawValue), \(bind: $0.value))" }
        return "WITH wanted (kind, value) AS (VALUES " + pairs.joined(separator: ", ")
            + ") SELECT i.kind, i.value, i.customer_id FROM wanted JOIN identities i ON i.kind = wanted.kind AND i.value = wanted.value"
    }

    /// The interactions stored under these external ids.
    static func storedInteractionsQuery(_ keys: some Collection<ExternalKey>) -> SQLQueryString {
        let pairs: [SQLQueryString] = keys.map { "(\(bind: $0.channelID), \(bind: $0.externalID))" }
        return "WITH wanted (channel_id, external_id) AS (VALUES " + pairs.joined(separator: ", ")
            + ") SELECT i.* FROM wanted JOIN interactions i ON i.channel_id = wanted.channel_id AND i.external_id = wanted.external_id"
    }

    func holder(of identity: Identity) -> Holder? {
        holders[identity]
    }

    func hold(_ identities: [Identity], by customerID: String) {
        for identity in identities { holders[identity] = .customer(customerID) }
    }

    func release(_ identities: [Identity]) {
        for identity in identities { holders[identity] = .nobody }
    }

    /// `.some(nil)`: known not stored; `nil`: not known.
    func interaction(for key: ExternalKey) -> Interaction?? {
        interactions[key]
    }

    func remember(_ interaction: Interaction?, for key: ExternalKey) {
        interactions[key] = .some(interaction)
    }

    func stored(_ interaction: Interaction) {
        guard let externalID = interaction.externalID else { return }
        interactions[ExternalKey(channelID: interaction.channelID, externalID: externalID)] = .some(interaction)
    }
}
