/// What a merge makes of a survivor and the customers it absorbs: every list element of all of
/// them, and per field the value the survivorship policy picks, with that value's provenance.
public struct CustomerMergePlan: Sendable, Equatable {
    public var merged: VersionedCustomer
    /// Per field key, the customer whose value survived (only fields where the records differed).
    public var decisions: [String: String]

    public init(survivor: VersionedCustomer, absorbed: [VersionedCustomer], policy: SurvivorshipPolicy) {
        let records = [survivor] + absorbed
        var merged = survivor
        var decisions: [String: String] = [:]
        var keys = ["kind", "name", "given_name", "family_name", "company", "lifecycle_stage", "owner_id"]
        var seenAttributes: Set<String> = []
        for record in records {
            for key in record.customer.attributes.keys where seenAttributes.insert(key).inserted { keys.append("attributes.\(key)") }
        }
        for key in keys {
            let candidates = records.map { record in
                SurvivorshipCandidate(customerID: record.customer.id, value: record.registerValue(key),
                                      provenance: record.versions.registers[key] ?? .genesis)
            }
            guard Set(candidates.map(\.value.jsonString)).count > 1, let chosen = policy.choose(key, among: candidates),
                  let change = CustomerFieldChange.register(key, chosen.value) else { continue }
            let provenance = records.first { $0.customer.id == chosen.customerID }?.versions.registers[key]
            merged.assign(change, provenance: provenance)
            decisions[key] = chosen.customerID
        }
        for record in absorbed {
            for (identity, state) in record.versions.identities {
                merged.versions.identities[identity] = merged.versions.identities[identity].map { $0.merged(with: state) } ?? state
            }
            for (key, entry) in record.versions.addresses {
                let joined = merged.versions.addresses[key].map { $0.versions.merged(with: entry.versions) } ?? entry.versions
                merged.versions.addresses[key] = (entry.address, joined)
            }
        }
        merged.rebuildLists()
        self.merged = merged
        self.decisions = decisions
    }
}
