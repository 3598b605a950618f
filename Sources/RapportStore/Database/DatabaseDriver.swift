import SQLKit

/// The connections of one database: one writer, used by one task at a time, and readers.
protocol DatabaseDriver: Sendable {
    var flavor: SQLFlavor { get }
    /// Where the writer should run to be closest to its connection, if anywhere in particular.
    var writerExecutor: (any TaskExecutor)? { get }
    /// How the writer learns that its commits are on disk.
    var durability: any CommitDurability { get }
    /// Runs `body` on the writing connection. Only the store's writer calls this, one call at a time.
    func withWriter<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` on a reading connection; it sees every committed transaction.
    func withReader<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T
    /// Keeps background work (connection pools) going until cancelled.
    func run() async
    /// Until cancelled, reports the heads of the log that other processes commit (and the head
    /// whenever listening (re)starts, as commits may have been missed). Returns at once where
    /// other processes cannot announce commits (SQLite).
    func followCommits(_ report: @escaping @Sendable (Int64) async -> Void) async
    /// Within the writer's open transaction, announces `head` to the other processes on commit.
    func announce(head: Int64, on database: any SQLDatabase) async throws
    /// Closes every connection.
    func close() async
}
