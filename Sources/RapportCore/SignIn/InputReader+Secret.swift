extension InputReader {
    /// A required secret (a password) exactly as sent: not trimmed, since spaces may be part of it.
    public mutating func secret(_ key: String, maxBytes: Int = 1_024) -> String? {
        switch value(key) {
        case .string(let text)?:
            if text.isEmpty {
                fail(key, "must not be empty")
                return nil
            }
            if text.utf8.count > maxBytes {
                fail(key, "must be at most \(maxBytes) bytes")
                return nil
            }
            return text
        case nil:
            fail(key, "is required")
            return nil
        case let other?:
            fail(key, "expected a string, got \(other.typeName)")
            return nil
        }
    }
}
