import Synchronization

/// How the writer learns that a commit it made is on disk.
///
/// PostgreSQL's `COMMIT` returns once it is durable. SQLite's writer commits with
/// `synchronous=NORMAL` (the commit is in the WAL, in the operating system's cache) and the WAL is
/// then synced on a thread of its own (`WALSync`), so the writer begins the next group while the
/// disk works: nothing is acknowledged, and no event reaches a consumer, before its sync.
protocol CommitDurability: Sendable {
    /// Whether a commit is visible to readers before it is durable (so readers of the log must
    /// stop before it until then).
    var visibleBeforeDurable: Bool { get }

    /// Calls `done` once everything committed before this call is durable, with the failure if
    /// that could not be made sure of; calls come back in the order they were made.
    func afterDurable(_ done: @escaping @Sendable (Result<Void, any Error>) -> Void)
}

/// A database whose commits are durable when they return.
struct DurableOnCommit: CommitDurability {
    var visibleBeforeDurable: Bool { false }

    func afterDurable(_ done: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        done(.success(()))
    }
}

/// The log positions this process committed that are not durable yet; readers of the log stop
/// before them, so nothing is pushed to a subscriber that a power loss could still take back.
final class UndurableEvents: Sendable {
    private let firsts = Mutex<[Int64]>([])

    /// The writer committed events from `first` on, not yet durable.
    func committed(from first: Int64) {
        firsts.withLock { $0.append(first) }
    }

    /// The oldest of those is durable now.
    func madeDurable() {
        firsts.withLock { if !$0.isEmpty { $0.removeFirst() } }
    }

    /// The last position readers may see: just before the oldest event not yet durable.
    var readableHead: Int64? {
        firsts.withLock { $0.first.map { $0 - 1 } }
    }
}
