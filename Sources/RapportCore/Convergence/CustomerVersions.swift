/// The version state of one element of a list-valued field (an identity, an address).
///
/// The element is present while its newest add is at least as new as its newest remove.
public struct ElementVersions: Sendable, Equatable {
    public var added: Provenance?
    public var removed: Provenance?
    /// Position in the write that added it, to keep the order a person gave.
    public var rank: Int

    public init(added: Provenance? = nil, removed: Provenance? = nil, rank: Int = 0) {
        self.added = added
        self.removed = removed
        self.rank = rank
    }

    public var isPresent: Bool {
        guard let added else { return false }
        guard let removed else { return true }
        return added.version >= removed.version
    }

    mutating func add(rank newRank: Int, by provenance: Provenance) -> Bool {
        if let added {
            if provenance.version < added.version { return false }
            if provenance.version == added.version {
                // A duplicate delivery of the same write: keep the lower rank so any order agrees.
                guard newRank < rank else { return false }
                rank = newRank
                return true
            }
        }
        added = provenance
        rank = newRank
        return true
    }

    mutating func remove(by provenance: Provenance) -> Bool {
        if let removed, provenance.version <= removed.version { return false }
        removed = provenance
        return true
    }

    /// Both histories joined.
    func merged(with other: ElementVersions) -> ElementVersions {
        var result = self
        if let added = other.added { _ = result.add(rank: other.rank, by: added) }
        if let removed = other.removed { _ = result.remove(by: removed) }
        return result
    }
}

/// Where every field value of a customer came from: per register (scalar field or attribute key)
/// the provenance of the value it holds, per list element its add and remove.
///
/// A field without an entry was never written with a version (records from before versions were
/// kept); any versioned write supersedes it.
public struct CustomerVersions: Sendable, Equatable {
    public var registers: [String: Provenance]
    public var identities: [Identity: ElementVersions]
    /// Keyed by the address's canonical JSON text.
    public var addresses: [String: (address: Address, versions: ElementVersions)]

    public init(registers: [String: Provenance] = [:], identities: [Identity: ElementVersions] = [:],
                addresses: [String: (address: Address, versions: ElementVersions)] = [:]) {
        self.registers = registers
        self.identities = identities
        self.addresses = addresses
    }

    /// Versions for a customer stored without them: its lists as added at the beginning of time.
    public init(unversioned customer: Customer) {
        self.init()
        for (rank, identity) in customer.identities.enumerated() {
            identities[identity] = ElementVersions(added: .genesis, rank: rank)
        }
        for (rank, address) in customer.addresses.enumerated() {
            addresses[Self.key(of: address)] = (address, ElementVersions(added: .genesis, rank: rank))
        }
    }

    /// Fills in entries for list elements the customer holds but these versions do not know.
    public func completed(for customer: Customer) -> CustomerVersions {
        var result = self
        for (rank, identity) in customer.identities.enumerated() where result.identities[identity] == nil {
            result.identities[identity] = ElementVersions(added: .genesis, rank: rank)
        }
        for (rank, address) in customer.addresses.enumerated() where result.addresses[Self.key(of: address)] == nil {
            result.addresses[Self.key(of: address)] = (address, ElementVersions(added: .genesis, rank: rank))
        }
        return result
    }

    /// The newest version anywhere in the record.
    public var newest: FieldVersion? {
        var newest: FieldVersion?
        func see(_ provenance: Provenance?) {
            guard let version = provenance?.version else { return }
            if newest.map({ version > $0 }) ?? true { newest = version }
        }
        registers.values.forEach(see)
        for state in identities.values { see(state.added); see(state.removed) }
        for entry in addresses.values { see(entry.versions.added); see(entry.versions.removed) }
        return newest
    }

    static func key(of address: Address) -> String { address.json.jsonString }

    public static func == (lhs: CustomerVersions, rhs: CustomerVersions) -> Bool {
        guard lhs.registers == rhs.registers, lhs.identities == rhs.identities,
              lhs.addresses.count == rhs.addresses.count else { return false }
        for (key, entry) in lhs.addresses {
            guard let other = rhs.addresses[key], other.address == entry.address, other.versions == entry.versions else {
                return false
            }
        }
        return true
    }
}

extension Provenance {
    /// The version of values that predate versioning: older than any write.
    public static let genesis = Provenance(version: FieldVersion(timestamp: HybridTimestamp(milliseconds: 0), sourceID: ""))
}
