/// The blocks of one blocking rule: which records share each key, and each record's keys.
struct BlockTable: Sendable {
    private(set) var idOfKey: [String: Int32] = [:]
    /// Record slots per key id.
    private(set) var members = IDLists()
    /// Key ids per record slot, ascending.
    private(set) var keysOfRecord = IDLists()

    func id(of key: String) -> Int32? {
        idOfKey[key]
    }

    mutating func set(_ keys: [String], at slot: Int) {
        clear(slot)
        guard !keys.isEmpty else { return }
        if keys.count == 1 {
            keysOfRecord.set(single: join(keys[0], slot), at: slot)
            return
        }
        var ids: [Int32] = []
        ids.reserveCapacity(keys.count)
        for key in keys { ids.append(join(key, slot)) }
        keysOfRecord.set(ids.sorted(), at: slot)
    }

    /// Adds `slot` to the block of `key` and returns the key's id.
    private mutating func join(_ key: String, _ slot: Int) -> Int32 {
        let id: Int32
        if let known = idOfKey[key] {
            id = known
        } else {
            id = Int32(idOfKey.count)
            idOfKey[key] = id
            members.grow(to: Int(id) + 1)
        }
        members.append(Int32(slot), at: Int(id))
        return id
    }

    /// Runs `body` with a raw read-only view of the blocks.
    func withView<Result>(_ body: (BlockView) -> Result) -> Result {
        members.withView { members in
            keysOfRecord.withView { keys in body(BlockView(members: members, keysOfRecord: keys)) }
        }
    }

    mutating func clear(_ slot: Int) {
        for key in keysOfRecord.list(at: slot) {
            members.remove(Int32(slot), at: Int(key))
        }
        keysOfRecord.set([], at: slot)
    }
}

/// A raw read-only view of a `BlockTable`, valid inside `BlockTable.withView`.
struct BlockView {
    let members: IDListsView
    let keysOfRecord: IDListsView

    @inline(__always)
    func size(of key: Int32) -> Int {
        members.list(at: Int(key)).count
    }
}
