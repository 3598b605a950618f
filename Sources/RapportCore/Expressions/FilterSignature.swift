/// A canonical text of a filter: two filters with the same signature match the same events, so
/// `SubscriptionIndex` evaluates such filters once per event however many subscriptions share
/// them (many integrations install the same filter).
extension SubscriptionFilter {
    /// The filter written canonically: conditions of one dialect sorted, strings quoted and
    /// escaped, CEL by its source text.
    var signature: String {
        var text = ""
        appendSignature(to: &text)
        return text
    }

    private func appendSignature(to text: inout String) {
        switch self {
        case .exact(let conditions): Self.append("exact", conditions, to: &text)
        case .prefix(let conditions): Self.append("prefix", conditions, to: &text)
        case .suffix(let conditions): Self.append("suffix", conditions, to: &text)
        case .all(let filters): Self.append("all", filters, to: &text)
        case .any(let filters): Self.append("any", filters, to: &text)
        case .not(let filter):
            text += "not("
            filter.appendSignature(to: &text)
            text += ")"
        case .cel(let expression):
            text += "cel(" + String(reflecting: expression.source) + ")"
        }
    }

    private static func append(_ dialect: String, _ conditions: [AttributeCondition], to text: inout String) {
        let sorted = conditions.sorted { ($0.attribute.rawValue, $0.value) < ($1.attribute.rawValue, $1.value) }
        text += dialect + "(" + sorted.map { $0.attribute.rawValue + "=" + String(reflecting: $0.value) }.joined(separator: ",") + ")"
    }

    private static func append(_ combinator: String, _ filters: [SubscriptionFilter], to text: inout String) {
        text += combinator + "("
        for (position, filter) in filters.enumerated() {
            if position > 0 { text += "," }
            filter.appendSignature(to: &text)
        }
        text += ")"
    }
}
