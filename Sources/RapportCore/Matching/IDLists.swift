/// Short lists of ids kept per slot, without an array per slot in the common case of at most
/// one id: a million records with one email each cost one integer each, not one allocation.
struct IDLists: Sendable {
    /// Per slot: `-1` for no ids, a non-negative id for exactly one, `-(k + 2)` for `spilled[k]`.
    private var heads: [Int32] = []
    private var spilled: [[Int32]] = []
    private var freeSpilled: [Int32] = []

    mutating func grow(to count: Int) {
        if heads.count < count {
            heads.append(contentsOf: repeatElement(-1, count: count - heads.count))
        }
    }

    func list(at slot: Int) -> IDList {
        guard slot < heads.count else { return IDList(single: -1, many: nil) }
        let head = heads[slot]
        if head >= -1 { return IDList(single: head, many: nil) }
        return IDList(single: -1, many: spilled[Int(-head - 2)])
    }

    /// Replaces the list at `slot`; `ids` holds no duplicates.
    mutating func set(_ ids: [Int32], at slot: Int) {
        grow(to: slot + 1)
        let head = heads[slot]
        if head < -1 {
            let position = Int(-head - 2)
            if ids.count > 1 {
                spilled[position] = ids
                return
            }
            spilled[position] = []
            freeSpilled.append(Int32(position))
        }
        switch ids.count {
        case 0: heads[slot] = -1
        case 1: heads[slot] = ids[0]
        default: heads[slot] = -(spill(ids) + 2)
        }
    }

    /// Replaces the list at `slot` with the one id `id`.
    mutating func set(single id: Int32, at slot: Int) {
        grow(to: slot + 1)
        if heads[slot] < -1 {
            set([id], at: slot)
        } else {
            heads[slot] = id
        }
    }

    mutating func append(_ id: Int32, at slot: Int) {
        grow(to: slot + 1)
        let head = heads[slot]
        if head == -1 {
            heads[slot] = id
        } else if head >= 0 {
            heads[slot] = -(spill([head, id]) + 2)
        } else {
            spilled[Int(-head - 2)].append(id)
        }
    }

    /// Removes one occurrence of `id`, keeping the order of the others.
    mutating func remove(_ id: Int32, at slot: Int) {
        guard slot < heads.count else { return }
        let head = heads[slot]
        if head >= 0 {
            if head == id { heads[slot] = -1 }
            return
        }
        guard head < -1 else { return }
        let position = Int(-head - 2)
        guard let found = spilled[position].firstIndex(of: id) else { return }
        spilled[position].remove(at: found)
        if spilled[position].count == 1 {
            heads[slot] = spilled[position][0]
            spilled[position] = []
            freeSpilled.append(Int32(position))
        }
    }

    /// Runs `body` with a raw read-only view of the lists, for hot loops without reference counting.
    func withView<Result>(_ body: (IDListsView) -> Result) -> Result {
        heads.withUnsafeBufferPointer { heads in
            spilled.withUnsafeBufferPointer { spilled in body(IDListsView(heads: heads, spilled: spilled)) }
        }
    }

    private mutating func spill(_ ids: [Int32]) -> Int32 {
        if let position = freeSpilled.popLast() {
            spilled[Int(position)] = ids
            return position
        }
        spilled.append(ids)
        return Int32(spilled.count - 1)
    }
}

/// The ids of one slot: a view that costs no allocation for zero or one id.
struct IDList: RandomAccessCollection, Sendable {
    let single: Int32
    let many: [Int32]?

    var startIndex: Int { 0 }
    var endIndex: Int { many?.count ?? (single >= 0 ? 1 : 0) }

    subscript(position: Int) -> Int32 {
        many?[position] ?? single
    }
}

/// A raw read-only view of `IDLists`, valid inside `IDLists.withView`.
struct IDListsView {
    let heads: UnsafeBufferPointer<Int32>
    let spilled: UnsafeBufferPointer<[Int32]>

    @inline(__always)
    func list(at slot: Int) -> IDList {
        guard slot < heads.count else { return IDList(single: -1, many: nil) }
        let head = heads[slot]
        if head >= -1 { return IDList(single: head, many: nil) }
        return IDList(single: -1, many: spilled[Int(-head - 2)])
    }
}
