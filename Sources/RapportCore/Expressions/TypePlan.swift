/// What `SubscriptionIndex` does for events of one type: the type-only filters that match, the
/// filters to evaluate for every event, and the filters to look up by a value of the event.
struct TypePlan: Sendable {
    /// Filters found under one value of a path: matches outright, or candidates to evaluate.
    struct Bucket: Sendable {
        /// Positions of filters that match whenever the value is found, ascending.
        var decided: [Int32] = []
        /// Positions of filters to evaluate when the value is found, ascending.
        var pending: [Int32] = []
    }

    /// The filters keyed by the value at one path.
    struct Lookup: Sendable {
        var path: ValuePath
        var buckets: [IndexedValue: Bucket] = [:]
    }

    /// Positions of the type-only filters that match this type, ascending.
    var matched: [Int32] = []
    /// Positions of the candidates without a value key, evaluated per event, ascending.
    var pending: [Int32] = []
    /// One lookup per distinct path, so each path is read once per event.
    var lookups: [Lookup] = []
    /// How many candidates the type lookup found (before any was decided or keyed).
    var candidateCount = 0

    /// Files the filter at `position` under every value of `key`.
    mutating func add(_ position: Int32, key: ValueKey, decided: Bool) {
        let slot: Int
        if let found = lookups.firstIndex(where: { $0.path == key.path }) {
            slot = found
        } else {
            lookups.append(Lookup(path: key.path))
            slot = lookups.count - 1
        }
        for value in key.values {
            if decided {
                lookups[slot].buckets[value, default: Bucket()].decided.append(position)
            } else {
                lookups[slot].buckets[value, default: Bucket()].pending.append(position)
            }
        }
    }
}
