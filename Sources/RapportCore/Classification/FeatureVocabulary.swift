/// The n-grams a classifier knows, each with its column in the weight table: an open-addressing
/// hash table from n-gram hash to column, cheaper than a `Dictionary` on the prediction path.
struct FeatureVocabulary: Sendable {
    /// One slot of the table: the hash and its column side by side, so a probe reads one cache line.
    private struct Slot {
        var hash: UInt64
        var column: Int32
    }

    /// The n-gram hash of each column, in column order (what the stored model keeps).
    let hashes: [UInt64]
    private let slots: [Slot]
    private let mask: Int

    init(hashes: [UInt64]) {
        self.hashes = hashes
        var capacity = 16
        while capacity < hashes.count * 2 { capacity <<= 1 }
        var slots = Array(repeating: Slot(hash: 0, column: -1), count: capacity)
        mask = capacity - 1
        for (column, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot].column >= 0 {
                if slots[slot].hash == hash { break }
                slot = (slot + 1) & mask
            }
            if slots[slot].column < 0 { slots[slot] = Slot(hash: hash, column: Int32(column)) }
        }
        self.slots = slots
    }

    var count: Int { hashes.count }

    /// Looks each hash up and appends the columns of the known ones to `found`.
    func appendColumns(of hashes: [UInt64], to found: inout [Int32]) {
        let mask = self.mask
        slots.withUnsafeBufferPointer { slots in
            for hash in hashes {
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let entry = slots[slot]
                    if entry.column < 0 { break }
                    if entry.hash == hash {
                        found.append(entry.column)
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }
}
