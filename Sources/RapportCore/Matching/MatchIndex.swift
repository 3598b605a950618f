/// The records a duplicate finder searches, kept ready for matching: normalized values per
/// field and blocks per blocking rule. Add, update and remove records as customers change;
/// a server keeps one index and asks it for the candidates of each written customer.
public struct MatchIndex: Sendable {
    public let profile: MatchProfile
    let plan: MatchPlan
    /// The record id in each slot; empty for a free slot.
    private(set) var ids: [String] = []
    private(set) var slotOfID: [String: Int32] = [:]
    /// The source number of each slot, `-1` for a free slot.
    private(set) var sourceOfSlot: [Int32] = []
    private(set) var sourceNames: [String] = []
    private var sourceNumbers: [String: Int32] = [:]
    private var freeSlots: [Int32] = []
    private(set) var columns: [ValueColumn]
    private(set) var blocks: [BlockTable]

    /// An empty index for `profile`; fails when the profile has problems.
    public init(profile: MatchProfile) throws(MatchConfigurationError) {
        let problems = profile.problems
        guard problems.isEmpty else { throw MatchConfigurationError(problems: problems) }
        self.profile = profile
        let plan = MatchPlan(profile: profile)
        self.plan = plan
        columns = plan.columnInputs.map { ValueColumn(normalization: plan.inputs[$0].normalization) }
        blocks = profile.blockingRules.map { _ in BlockTable() }
    }

    /// An index holding `records`.
    public init(profile: MatchProfile, records: some Sequence<MatchRecord>) throws(MatchConfigurationError) {
        try self.init(profile: profile)
        upsert(contentsOf: records)
    }

    /// Adds or replaces many records, preparing them on all cores.
    public mutating func upsert(contentsOf records: some Sequence<MatchRecord>) {
        let plan = plan
        upsert(batchesOf: records) { plan.prepare($0) }
    }

    /// Adds or replaces many customers, preparing them on all cores.
    public mutating func upsert(contentsOf customers: some Sequence<Customer>, source: String = "") {
        let plan = plan
        upsert(batchesOf: customers) { plan.prepare($0, source: source) }
    }

    /// Prepares a batch at a time in parallel (normalizing is most of the work of indexing),
    /// then files the batch in order, so the result is the same as one upsert after another.
    private mutating func upsert<Item: Sendable>(batchesOf items: some Sequence<Item>,
                                                 prepare: @escaping @Sendable (Item) -> PreparedRecord) {
        let batchSize = 8192
        var batch: [Item] = []
        batch.reserveCapacity(batchSize)
        func flush() {
            let pending = batch
            let pieces = min(ParallelWork.pieceCount, max(1, pending.count / 256))
            let prepared = ParallelWork.map(pieces) { piece in
                stride(from: piece, to: pending.count, by: pieces).map { prepare(pending[$0]) }
            }
            for position in pending.indices {
                upsert(prepared[position % pieces][position / pieces])
            }
            batch.removeAll(keepingCapacity: true)
        }
        for item in items {
            batch.append(item)
            if batch.count == batchSize { flush() }
        }
        if !batch.isEmpty { flush() }
    }

    /// The number of records.
    public var count: Int { slotOfID.count }

    /// Whether a record with `id` is in the index.
    public func contains(id: String) -> Bool {
        slotOfID[id] != nil
    }

    /// Adds `record`, or replaces the record with the same id.
    public mutating func upsert(_ record: MatchRecord) {
        upsert(plan.prepare(record))
    }

    /// Adds `customer`, or replaces the record with its id: the fast way in, which reads only
    /// the values the profile uses.
    /// - Parameter source: the collection the customer comes from, for linking collections.
    public mutating func upsert(_ customer: Customer, source: String = "") {
        upsert(plan.prepare(customer, source: source))
    }

    private mutating func upsert(_ record: PreparedRecord) {
        let slot: Int
        if let existing = slotOfID[record.id] {
            slot = Int(existing)
        } else if let free = freeSlots.popLast() {
            slot = Int(free)
        } else {
            slot = ids.count
            ids.append("")
            sourceOfSlot.append(-1)
        }
        slotOfID[record.id] = Int32(slot)
        ids[slot] = record.id
        sourceOfSlot[slot] = sourceNumber(record.source)
        for (column, values) in record.columnValues.enumerated() {
            columns[column].set(values, at: slot)
        }
        for (rule, keys) in record.ruleKeys.enumerated() {
            blocks[rule].set(keys, at: slot)
        }
    }

    /// Removes the record with `id`; returns whether there was one.
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        guard let slot = slotOfID.removeValue(forKey: id) else { return false }
        let position = Int(slot)
        for column in columns.indices { columns[column].clear(position) }
        for rule in blocks.indices { blocks[rule].clear(position) }
        ids[position] = ""
        sourceOfSlot[position] = -1
        freeSlots.append(slot)
        return true
    }

    /// The slots that hold records, ascending.
    var liveSlots: [Int32] {
        (0..<Int32(sourceOfSlot.count)).filter { sourceOfSlot[Int($0)] >= 0 }
    }

    private mutating func sourceNumber(_ name: String) -> Int32 {
        if let number = sourceNumbers[name] { return number }
        let number = Int32(sourceNames.count)
        sourceNames.append(name)
        sourceNumbers[name] = number
        return number
    }
}
