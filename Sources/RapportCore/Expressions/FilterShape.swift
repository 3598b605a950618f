/// How `SubscriptionIndex` handles a filter that reads more than the event type, once the type is
/// known: its conjuncts that read only the type (decided once per type; if one fails, the filter
/// cannot match that type), the value key it is looked up by, and whether a lookup hit alone
/// proves a match.
struct FilterShape: Sendable {
    /// Conjuncts whose outcome depends only on the type.
    var typeConjuncts: [FilterConjunct] = []
    /// The most selective value equality among the other conjuncts, if any.
    var key: ValueKey?
    /// True when the filter is its type conjuncts and its keyed conjunct, nothing else: for an
    /// event whose type satisfies the former, a hit on the key is a match without evaluation.
    var decidedByKey = false
    /// A path the filter cannot match without (`RequiredPath`): events lacking it skip the filter.
    var requiredPath: ValuePath?

    init(_ filter: SubscriptionFilter) {
        var others = 0
        for conjunct in FilterConjunct.of(filter) {
            if conjunct.dependsOnlyOnType {
                typeConjuncts.append(conjunct)
                continue
            }
            others += 1
            if let path = RequiredPath.of(conjunct), requiredPath.map({ path.keys.count > $0.keys.count }) ?? true {
                requiredPath = path
            }
            // Fewer alternatives are more selective; the first of equals wins.
            if let candidate = ValueKey.of(conjunct), key.map({ candidate.values.count < $0.values.count }) ?? true {
                key = candidate
            }
        }
        decidedByKey = key != nil && others == 1
    }

    /// True unless a type-only conjunct fails for `event`'s type (then no event of that type matches).
    func admitsType(of event: Event) -> Bool {
        typeConjuncts.allSatisfy { $0.matches(event) }
    }
}
