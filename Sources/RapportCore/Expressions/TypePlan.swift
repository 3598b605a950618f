/// What `SubscriptionIndex` does for events of one type: the type-only filters that match, the
/// filters to evaluate for events that have a path they need, and the filters to look up by a
/// value of the event.
struct TypePlan: Sendable {
    /// Filters without a value key, evaluated only for events that have `path` (when there is one).
    struct Guarded: Sendable {
        var path: ValuePath?
        /// Positions, ascending.
        var positions: [Int32] = []
    }

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

    /// The type-only filters that match this type, one bit per filter position (bit `p % 64` of
    /// word `p / 64`), so that an event's result starts as a copy of these words.
    var matched: [UInt64] = []
    /// The candidates without a value key, grouped by the path each needs (one read per path and event).
    var guarded: [Guarded] = []
    /// One lookup per distinct path, so each path is read once per event.
    var lookups: [Lookup] = []
    /// How many candidates the type lookup found (before any was decided or keyed).
    var candidateCount = 0

    /// Files the filter at `position`, which has no value key, under the path it needs.
    mutating func addGuarded(_ position: Int32, path: ValuePath?) {
        if let slot = guarded.firstIndex(where: { $0.path == path }) {
            guarded[slot].positions.append(position)
        } else {
            guarded.append(Guarded(path: path, positions: [position]))
        }
    }

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
