import Logging
import RapportCore
import SQLKit

/// What an area's SQL implementation shares with every other: the store's reading pools and its
/// one group-committing writer.
protocol StoreArea: Sendable {
    var store: Store { get }
}

extension StoreArea {
    var flavor: SQLFlavor { store.flavor }
    var ids: RecordIDGenerator { store.ids }
    var clock: @Sendable () -> Timestamp { store.clock }
    var logger: Logger { store.logger }

    /// Runs `body` on a reading connection.
    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await store.read(body)
    }

    /// Runs `work` in the next group commit.
    func write<T: Sendable>(prefetch: WritePrefetch = .nothing,
                            _ work: @escaping @Sendable (WriteTransaction) async throws -> T) async throws -> T {
        try await store.write(prefetch: prefetch, work)
    }
}
