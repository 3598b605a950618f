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
            // Row values in IN use the primary key on both backends; a chain of ORs may scan.
            var pairs: [SQLQueryString] = []
            for identity in part {
                pairs.append("(\(bind: identity.kind.rawValue), \(bind: identity.value))")
            }
            let rows = try await database.raw("SELECT kind, value, customer_id FROM identities WHERE (kind, value) IN (VALUES "
                + pairs.joined(separator: ", ") + ")").all()
            for row in rows {
                let identity = Identity(kind: try storedEnum(try row.string("kind")), value: try row.string("value"))
                holders[identity] = .customer(try row.string("customer_id"))
            }
        }
        let keys = Array(Set(prefetches.flatMap(\.interactions)))
        for chunk in stride(from: 0, to: keys.count, by: 400) {
            let part = keys[chunk..<min(chunk + 400, keys.count)]
            for key in part { interactions[key] = .some(nil) }
            var pairs: [SQLQueryString] = []
            for key in part {
                pairs.append("(\(bind: key.channelID), \(bind: key.externalID))")
            }
            let rows = try await database.raw("SELECT * FROM interactions WHERE (channel_id, external_id) IN (VALUES "
                + pairs.joined(separator: ", ") + ")").all()
            for row in rows {
                let interaction = try InteractionRows.decode(row)
                if let externalID = interaction.externalID {
                    interactions[ExternalKey(channelID: interaction.channelID, externalID: externalID)] = .some(interaction)
                }
            }
        }
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
