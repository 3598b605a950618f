/// A trie over byte strings whose nodes carry values: looking up a string yields the values stored
/// under each of its prefixes (the empty prefix included), so `SubscriptionIndex` finds every
/// prefix key of an event type in one walk (and every suffix key by walking the reversed bytes).
struct ByteTrie: Sendable {
    private struct Node: Sendable {
        var bytes: [UInt8] = []
        var children: [Int32] = []
        var values: [Int32] = []
    }

    private var nodes = [Node()]

    /// True when nothing was inserted.
    var isEmpty: Bool { nodes.count == 1 && nodes[0].values.isEmpty }

    /// Stores `value` under the byte string `key`.
    mutating func insert(_ key: some Sequence<UInt8>, value: Int32) {
        var node = 0
        for byte in key {
            if let slot = nodes[node].bytes.firstIndex(of: byte) {
                node = Int(nodes[node].children[slot])
            } else {
                nodes.append(Node())
                let child = nodes.count - 1
                nodes[node].bytes.append(byte)
                nodes[node].children.append(Int32(child))
                node = child
            }
        }
        nodes[node].values.append(value)
    }

    /// Appends to `result` the values stored under every prefix of `text`, shortest prefix first.
    func collect(prefixesOf text: some Sequence<UInt8>, into result: inout [Int32]) {
        var node = 0
        result.append(contentsOf: nodes[0].values)
        for byte in text {
            guard let slot = nodes[node].bytes.firstIndex(of: byte) else { return }
            node = Int(nodes[node].children[slot])
            result.append(contentsOf: nodes[node].values)
        }
    }
}
