/// Paths a conjunct reads such that, when one is missing from an event, the conjunct cannot hold:
/// `data.deal.amount > 1000`, `data.interaction.body.contains("refund")` or
/// `"stage" in data.changed_fields` is an error (so no match) on an event without that field.
///
/// `SubscriptionIndex` uses one such path per filter to skip filters no index can key: for an
/// event lacking the path, the filter is not evaluated at all. The analysis follows the
/// evaluator: an operand's error is the operation's error for comparisons, equality, membership,
/// arithmetic, negation, `!`, indexing, builtins, `has()`'s base, list and map literals and a
/// comprehension's range; `||`, a conditional's branches and a comprehension's predicate may
/// absorb errors, so nothing under them is required.
enum RequiredPath {
    /// The most specific path `conjunct` needs to hold (the one with the most keys), if any.
    static func of(_ conjunct: FilterConjunct) -> ValuePath? {
        guard case .cel(let instruction, _) = conjunct else { return nil }
        var paths: [ValuePath] = []
        collectForTruth(instruction, into: &paths)
        return paths.max { $0.keys.count < $1.keys.count }
    }

    /// Paths whose absence keeps `instruction` from yielding `true`.
    private static func collectForTruth(_ instruction: ExpressionInstruction, into paths: inout [ValuePath]) {
        switch instruction {
        case .and(let left, let right):
            // `true` needs both sides `true`: each side's requirements hold for the whole.
            collectForTruth(left, into: &paths)
            collectForTruth(right, into: &paths)
        default:
            collectStrict(instruction, into: &paths)
        }
    }

    /// Paths whose absence makes `instruction` evaluate to an error.
    private static func collectStrict(_ instruction: ExpressionInstruction, into paths: inout [ValuePath]) {
        switch instruction {
        case .constant, .local, .variable:
            return
        case .select(.variable(_, let name), let keys):
            paths.append(ValuePath(root: name, keys: keys))
        case .select(let base, _), .not(let base), .negate(let base), .has(let base, _), .matchesPattern(let base, _):
            collectStrict(base, into: &paths)
        case .index(let left, let right), .arithmetic(_, let left, let right), .ordering(_, let left, let right),
             .equal(let left, let right, _), .membership(let left, let right):
            collectStrict(left, into: &paths)
            collectStrict(right, into: &paths)
        case .call(_, let arguments), .list(let arguments):
            for argument in arguments { collectStrict(argument, into: &paths) }
        case .map(let entries):
            for entry in entries {
                collectStrict(entry.key, into: &paths)
                collectStrict(entry.value, into: &paths)
            }
        case .conditional(let condition, _, _):
            collectStrict(condition, into: &paths)
        case .comprehension(_, let range, _, _):
            collectStrict(range, into: &paths)
        case .and, .or:
            // An error on one side is absorbed when the other side settles the result.
            return
        }
    }
}
