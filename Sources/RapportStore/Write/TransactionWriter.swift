/// The one group-committing writer as routes and consumers see it: `work` runs in the next group
/// commit, and the call returns once that commit is durable.
public protocol TransactionWriter: Sendable {
    /// `prefetch` names what `work` will look up, so a whole batch reads it in one statement.
    func write<T: Sendable>(prefetch: WritePrefetch,
                            _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T
}

extension TransactionWriter {
    /// Runs `work` in the next group commit; returns after that commit is durable.
    public func write<T: Sendable>(_ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        try await write(prefetch: .nothing, work)
    }
}

extension Store: TransactionWriter {}
