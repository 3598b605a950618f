/// Many subscription filters, indexed so that matching one event evaluates only the filters that
/// could match it.
///
/// First level, the type: each filter's key (`FilterKey`: exact types, type prefixes, type
/// suffixes it requires) files it under a dictionary of exact types or a byte trie of prefixes or
/// reversed suffixes; filters without a key are candidates for every type.
///
/// Second level, a value: per distinct type the candidates are planned once and the plan kept in
/// the caller's `Scratch` (`TypePlan`). Filters that read only the type are decided there. Of the
/// others (`FilterShape`), those whose type-only conjuncts fail are dropped; those with a value
/// equality conjunct (`ValueKey`: `data.a.b == "x"`, `data.a.b in [...]`, `subject == "..."`, the
/// `exact` dialect on `subject`) are filed by (path, value); the rest are grouped by a path they
/// cannot match without (`RequiredPath`, e.g. `data.deal.amount` for `data.deal.amount > 1000`)
/// and evaluated only for events that have it. An event then costs a dictionary lookup for its
/// type, one read and one lookup per indexed path, one read per required path, and the evaluation
/// of the candidates found that the lookups do not settle. Filters with the same signature
/// (`FilterSignature`) are evaluated once per event, however many subscriptions share them.
///
/// The index only prunes: a keyed filter is reported without evaluation only when it is nothing
/// but type-only conjuncts (true for this type) and its keyed equality (true because the value was
/// found); every other candidate's full filter is evaluated. A result is exactly what evaluating
/// every filter would give, in insertion order.
///
/// ```swift
/// let index = SubscriptionIndex(subscriptions.map { (id: $0.id, filter: $0.filter) })
/// var scratch = SubscriptionIndex<String>.Scratch()
/// var ids: [String] = []
/// for event in events {
///     index.matches(event, into: &ids, scratch: &scratch)
///     …
/// }
/// ```
public struct SubscriptionIndex<ID> {
    /// The ids in insertion order.
    public let ids: [ID]
    let filters: [SubscriptionFilter]
    private let typeOnly: [Bool]
    /// The shape of each filter that reads more than the type (nil for type-only filters).
    private let shapes: [FilterShape?]
    /// For each filter, the position of the first filter with the same signature: filters that
    /// share one are evaluated once per event.
    fileprivate let representatives: [Int32]
    private var exact: [String: [Int32]] = [:]
    private var prefixes = ByteTrie()
    private var suffixes = ByteTrie()
    private var unindexed: [Int32] = []
    /// Tells scratches built for another index apart.
    private let identity = UInt64.random(in: .min ... .max)

    public init(_ subscriptions: [(id: ID, filter: SubscriptionFilter)]) {
        ids = subscriptions.map(\.id)
        filters = subscriptions.map(\.filter)
        typeOnly = filters.map(\.dependsOnlyOnType)
        shapes = zip(filters, typeOnly).map { $1 ? nil : FilterShape($0) }
        var firstBySignature: [String: Int32] = [:]
        var representatives = (0..<Int32(filters.count)).map { $0 }
        // Type-only filters are decided once per type, never per event: no need to share them.
        for (position, filter) in filters.enumerated() where !typeOnly[position] {
            let signature = filter.signature
            if let first = firstBySignature[signature] {
                representatives[position] = first
            } else {
                firstBySignature[signature] = Int32(position)
            }
        }
        self.representatives = representatives
        for (position, filter) in filters.enumerated() {
            let slot = Int32(position)
            guard let key = FilterKey.of(filter) else {
                unindexed.append(slot)
                continue
            }
            // A key without alternatives (e.g. `any` of nothing) belongs to a filter that never matches.
            for value in Set(key.exact) { exact[value, default: []].append(slot) }
            for prefix in key.prefixes { prefixes.insert(prefix.utf8, value: slot) }
            for suffix in key.suffixes { suffixes.insert(suffix.utf8.reversed(), value: slot) }
        }
    }

    /// How many subscriptions the index holds.
    public var count: Int { ids.count }

    /// How many filters have no key and are candidates for every event.
    public var unindexedCount: Int { unindexed.count }

    /// How many filters have a value key (looked up by a value of the event rather than evaluated).
    public var valueKeyedCount: Int { shapes.count(where: { $0?.key != nil }) }

    /// The positions of the filters that could match an event of `type`, ascending and without repeats.
    func candidates(forType type: String, into result: inout [Int32]) {
        result.removeAll(keepingCapacity: true)
        if let found = exact[type] { result.append(contentsOf: found) }
        prefixes.collect(prefixesOf: type.utf8, into: &result)
        if !suffixes.isEmpty { suffixes.collect(prefixesOf: type.utf8.reversed(), into: &result) }
        result.append(contentsOf: unindexed)
        result.sort()
        var kept = 0
        for position in result.indices where kept == 0 || result[position] != result[kept - 1] {
            result[kept] = result[position]
            kept += 1
        }
        result.removeLast(result.count - kept)
    }

    /// How many filters the index offers as candidates for an event of `type` (type-only ones included).
    public func candidateCount(forType type: String) -> Int {
        var found: [Int32] = []
        candidates(forType: type, into: &found)
        return found.count
    }

    /// The ids of the subscriptions whose filter matches `event`, in insertion order.
    public func matches(_ event: Event) -> [ID] {
        var scratch = Scratch()
        var result: [ID] = []
        matches(event, into: &result, scratch: &scratch)
        return result
    }

    /// Replaces `result` with the ids of the subscriptions whose filter matches `event`, in insertion
    /// order, reusing `scratch` (and the per-type plans it remembers) across calls. Returns how
    /// many filters were evaluated for this event.
    // Inlinable so that the caller's module specializes the copy of ids for its `ID`: built here,
    // generic, each copy would go through value witnesses (a third of the time at 500 matches per event).
    @inlinable @discardableResult
    public func matches(_ event: Event, into result: inout [ID], scratch: inout Scratch) -> Int {
        let evaluated = markMatches(event, scratch: &scratch)
        result.removeAll(keepingCapacity: true)
        result.reserveCapacity(scratch.markCount)
        scratch.drainMarks { result.append(ids[$0]) }
        return evaluated
    }

    /// Marks in `scratch` the positions of the filters matching `event`; returns how many filters
    /// were evaluated.
    @usableFromInline
    func markMatches(_ event: Event, scratch: inout Scratch) -> Int {
        let plan = scratch.plan(for: event, in: self)
        scratch.beginEvent(filterCount: filters.count)
        var hits = 0
        for group in plan.guarded {
            if let path = group.path, path.value(in: event) == nil { continue }
            for position in group.positions where scratch.verdict(of: position, in: self, for: event) { scratch.mark(position) }
        }
        for lookup in plan.lookups {
            guard let value = lookup.path.value(in: event).flatMap(IndexedValue.init), let bucket = lookup.buckets[value] else { continue }
            hits += bucket.decided.count + bucket.pending.count
            for position in bucket.decided { scratch.mark(position) }
            for position in bucket.pending where scratch.verdict(of: position, in: self, for: event) { scratch.mark(position) }
        }
        scratch.lastValueHitCount = hits
        scratch.mark(plan.matched)
        return scratch.evaluatedCount
    }

    /// Builds the plan for `event`'s type, deciding what depends on the type alone with `event`.
    func plan(for event: Event, buffer: inout [Int32]) -> TypePlan {
        candidates(forType: event.type, into: &buffer)
        var plan = TypePlan()
        plan.candidateCount = buffer.count
        plan.matched = Array(repeating: 0, count: (filters.count + 63) / 64)
        for position in buffer {
            guard let shape = shapes[Int(position)] else {
                if filters[Int(position)].matches(event) { plan.matched[Int(position) >> 6] |= 1 << UInt64(position & 63) }
                continue
            }
            guard shape.admitsType(of: event) else { continue }
            if let key = shape.key {
                plan.add(position, key: key, decided: shape.decidedByKey)
            } else {
                plan.addGuarded(position, path: shape.requiredPath)
            }
        }
        return plan
    }

    /// Per-caller working memory: the plans of the types seen so far (for one index at a time) and
    /// reusable buffers. Not shared between threads; keep one per consumer.
    public struct Scratch: Sendable {
        /// More distinct types than this and the remembered plans are dropped and rebuilt as needed.
        static var planLimit: Int { 1_024 }
        private var plans: [TypeName: TypePlan] = [:]
        private var owner: UInt64?
        private var candidates: [Int32] = []
        /// One bit per filter (bit `p % 64` of word `p / 64`): those matching the current event.
        /// Marking and then reading the bits in order gives the positions sorted without a sort.
        @usableFromInline var marks: [UInt64] = []
        /// Per representative filter, the event it was last evaluated for (`eventStamp`) and the verdict.
        private var verdictStamps: [UInt32] = []
        private var verdicts: [Bool] = []
        private var eventStamp: UInt32 = 0
        /// How many filters were evaluated for the current event.
        private(set) var evaluatedCount = 0

        public init() {}

        /// How many filters the type lookup offered for the last event (for measurements and tests).
        public private(set) var lastCandidateCount = 0

        /// How many filters the value lookups found for the last event (for measurements and tests).
        public internal(set) var lastValueHitCount = 0

        /// Starts the verdict memo afresh for a new event.
        mutating func beginEvent(filterCount: Int) {
            evaluatedCount = 0
            if marks.count != (filterCount + 63) / 64 { marks = Array(repeating: 0, count: (filterCount + 63) / 64) }
            if verdictStamps.count != filterCount || eventStamp == .max {
                verdictStamps = Array(repeating: 0, count: filterCount)
                verdicts = Array(repeating: false, count: filterCount)
                eventStamp = 0
            }
            eventStamp += 1
        }

        /// Whether the filter at `position` matches `event`, evaluating each distinct filter once per event.
        mutating func verdict(of position: Int32, in index: SubscriptionIndex, for event: Event) -> Bool {
            let representative = Int(index.representatives[Int(position)])
            if verdictStamps[representative] == eventStamp { return verdicts[representative] }
            let verdict = index.filters[representative].matches(event)
            evaluatedCount += 1
            verdictStamps[representative] = eventStamp
            verdicts[representative] = verdict
            return verdict
        }

        /// Notes that the filter at `position` matches the current event.
        mutating func mark(_ position: Int32) {
            marks[Int(position) >> 6] |= 1 << UInt64(position & 63)
        }

        /// Marks every position set in `words` (one bit per position, as `marks`).
        mutating func mark(_ words: [UInt64]) {
            for word in marks.indices { marks[word] |= words[word] }
        }

        /// How many positions are marked.
        @usableFromInline var markCount: Int {
            marks.reduce(0) { $0 &+ $1.nonzeroBitCount }
        }

        /// Calls `body` with each marked position, ascending, clearing the marks for the next event.
        @inlinable
        mutating func drainMarks(_ body: (Int) -> Void) {
            marks.withUnsafeMutableBufferPointer { words in
                for word in words.indices where words[word] != 0 {
                    var bits = words[word]
                    words[word] = 0
                    while bits != 0 {
                        body(word &<< 6 | bits.trailingZeroBitCount)
                        bits &= bits &- 1
                    }
                }
            }
        }

        /// The plan for `event`'s type, remembered from an earlier event of that type or built now.
        mutating func plan(for event: Event, in index: SubscriptionIndex) -> TypePlan {
            if owner != index.identity {
                plans.removeAll()
                owner = index.identity
            }
            let name = TypeName(event.type)
            if let plan = plans[name] {
                lastCandidateCount = plan.candidateCount
                return plan
            }
            if plans.count >= Self.planLimit { plans.removeAll() }
            let plan = index.plan(for: event, buffer: &candidates)
            plans[name] = plan
            lastCandidateCount = plan.candidateCount
            return plan
        }
    }
}

extension SubscriptionIndex: Sendable where ID: Sendable {}

/// An event type compared byte for byte (prefix and suffix tests are byte-wise, so two types that
/// are canonically equivalent but spelled differently must not share a plan).
struct TypeName: Hashable, Sendable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (lhs: TypeName, rhs: TypeName) -> Bool {
        lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
