/// Groups of records joined by duplicate pairs, found by union–find: if A matches B and B
/// matches C, then A, B and C are one customer.
public enum DuplicateClusters {
    /// The groups of two or more ids that `pairs` join, each sorted, largest group first.
    public static func clusters(of pairs: [ScoredPair]) -> [[String]] {
        var number: [String: Int] = [:]
        var names: [String] = []
        var parent: [Int] = []
        func find(_ element: Int) -> Int {
            var root = element
            while parent[root] != root { root = parent[root] }
            var current = element
            while parent[current] != root {
                let next = parent[current]
                parent[current] = root
                current = next
            }
            return root
        }
        func element(_ id: String) -> Int {
            if let known = number[id] { return known }
            number[id] = names.count
            names.append(id)
            parent.append(parent.count)
            return names.count - 1
        }
        for pair in pairs {
            let first = find(element(pair.firstID))
            let second = find(element(pair.secondID))
            if first != second { parent[max(first, second)] = min(first, second) }
        }
        var groups: [Int: [String]] = [:]
        for (position, name) in names.enumerated() { groups[find(position), default: []].append(name) }
        return groups.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }
}
