/// One field's value that converges: of all writes seen, the one with the greatest version stays.
///
/// Merging is commutative, associative and idempotent, so replicas that see the same writes in
/// any order, any number of times, hold the same value. A write that clears the field is a write
/// of `nil` and competes like any other.
public struct ConvergentRegister<Value: Sendable & Hashable & CustomStringConvertible>: Sendable, Hashable {
    public private(set) var value: Value?
    public private(set) var provenance: Provenance?

    public init() {}

    public init(value: Value?, provenance: Provenance) {
        self.value = value
        self.provenance = provenance
    }

    /// Applies one write; returns whether it changed the register.
    @discardableResult
    public mutating func apply(_ newValue: Value?, provenance newProvenance: Provenance) -> Bool {
        if let current = provenance {
            if newProvenance.version < current.version { return false }
            if newProvenance.version == current.version {
                // The same version twice is a duplicate delivery; keep the first unless the two
                // disagree, then keep a deterministic one so replicas still agree.
                guard newValue != value, Self.precedes(value, newValue) else { return false }
            }
        }
        let changed = newValue != value || newProvenance != provenance
        value = newValue
        provenance = newProvenance
        return changed
    }

    /// This register after also seeing everything `other` saw.
    public func merged(with other: ConvergentRegister) -> ConvergentRegister {
        var result = self
        if let provenance = other.provenance { result.apply(other.value, provenance: provenance) }
        return result
    }

    /// A total order on values that every process computes alike (hash values are seeded per process).
    private static func precedes(_ lhs: Value?, _ rhs: Value?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): false
        case (nil, _): true
        case (_, nil): false
        case let (left?, right?): left.description < right.description
        }
    }
}
