/// A list-valued field (emails, phones, tags) that converges under concurrent adds and removes.
///
/// Each element keeps its newest add and newest remove; it is present when its newest add is at
/// least as new as its newest remove (an add and a remove at the same version: the add wins).
/// State is a join of per-element maxima, so any order of the same operations gives the same set.
public struct ConvergentSet<Element: Sendable & Hashable>: Sendable, Hashable {
    private var added: [Element: FieldVersion] = [:]
    private var removed: [Element: FieldVersion] = [:]

    public init() {}

    public mutating func add(_ element: Element, version: FieldVersion) {
        if let current = added[element], current >= version { return }
        added[element] = version
    }

    public mutating func remove(_ element: Element, version: FieldVersion) {
        if let current = removed[element], current >= version { return }
        removed[element] = version
    }

    public func contains(_ element: Element) -> Bool {
        guard let add = added[element] else { return false }
        guard let remove = removed[element] else { return true }
        return add >= remove
    }

    /// Present elements, oldest add first (ties by version order), so a list keeps a stable order.
    public var elements: [Element] {
        added.filter { contains($0.key) }.sorted { $0.value < $1.value }.map(\.key)
    }

    public func merged(with other: ConvergentSet) -> ConvergentSet {
        var result = self
        for (element, version) in other.added { result.add(element, version: version) }
        for (element, version) in other.removed { result.remove(element, version: version) }
        return result
    }
}
