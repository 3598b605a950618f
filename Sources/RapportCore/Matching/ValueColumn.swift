/// The normalized values of one (source, normalization) for every record of an index: each
/// distinct value once, as Unicode scalars for the comparators, with how many records hold it
/// for term-frequency weights.
struct ValueColumn: Sendable {
    let normalization: ValueNormalization
    private(set) var idOfText: [String: Int32] = [:]
    /// Value `id` is `scalars[scalarStarts[id] ..< scalarStarts[id + 1]]`.
    private(set) var scalarStarts: [Int32] = [0]
    private(set) var scalars: [UInt32] = []
    /// How many live records hold each value.
    private(set) var recordCounts: [Int32] = []
    /// How many live records hold at least one value.
    private(set) var recordsWithValues = 0
    /// The value ids of each record slot.
    private(set) var records = IDLists()

    init(normalization: ValueNormalization) {
        self.normalization = normalization
    }

    func id(of text: String) -> Int32? {
        idOfText[text]
    }

    /// Sets the values of `slot` to `texts` (normalized, without duplicates).
    mutating func set(_ texts: [String], at slot: Int) {
        clear(slot)
        guard !texts.isEmpty else { return }
        recordsWithValues += 1
        if texts.count == 1 {
            let id = intern(texts[0])
            recordCounts[Int(id)] += 1
            records.set(single: id, at: slot)
            return
        }
        var ids: [Int32] = []
        ids.reserveCapacity(texts.count)
        for text in texts { ids.append(intern(text)) }
        for id in ids { recordCounts[Int(id)] += 1 }
        records.set(ids, at: slot)
    }

    mutating func clear(_ slot: Int) {
        let old = records.list(at: slot)
        guard !old.isEmpty else { return }
        for id in old { recordCounts[Int(id)] -= 1 }
        recordsWithValues -= 1
        records.set([], at: slot)
    }

    /// Runs `body` with a raw read-only view of the column.
    func withView<Result>(_ body: (ColumnView) -> Result) -> Result {
        scalars.withUnsafeBufferPointer { scalars in
            scalarStarts.withUnsafeBufferPointer { starts in
                recordCounts.withUnsafeBufferPointer { counts in
                    records.withView { records in
                        body(ColumnView(scalars: scalars, scalarStarts: starts, recordCounts: counts,
                                        recordsWithValues: recordsWithValues, records: records))
                    }
                }
            }
        }
    }

    private mutating func intern(_ text: String) -> Int32 {
        if let id = idOfText[text] { return id }
        let id = Int32(recordCounts.count)
        idOfText[text] = id
        scalars.append(contentsOf: text.unicodeScalars.lazy.map(\.value))
        scalarStarts.append(Int32(scalars.count))
        recordCounts.append(0)
        return id
    }
}

/// A raw read-only view of a `ValueColumn`, valid inside `ValueColumn.withView`.
struct ColumnView {
    let scalars: UnsafeBufferPointer<UInt32>
    let scalarStarts: UnsafeBufferPointer<Int32>
    let recordCounts: UnsafeBufferPointer<Int32>
    let recordsWithValues: Int
    let records: IDListsView

    @inline(__always)
    func scalars(of id: Int32) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(rebasing: scalars[Int(scalarStarts[Int(id)])..<Int(scalarStarts[Int(id) + 1])])
    }

    /// The share of records with a value that hold value `id`.
    @inline(__always)
    func frequency(of id: Int32) -> Double {
        guard recordsWithValues > 0 else { return 1 }
        return Double(max(recordCounts[Int(id)], 1)) / Double(recordsWithValues)
    }
}
