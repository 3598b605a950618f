/// A field of a JSON Merge Patch (RFC 7396): left alone, cleared with `null`, or set.
public enum PatchValue<Value: Sendable>: Sendable {
    case unchanged
    case clear
    case set(Value)

    /// The value after applying this patch to `current`.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .clear: nil
        case .set(let value): value
        }
    }
}

extension PatchValue: Equatable where Value: Equatable {}
