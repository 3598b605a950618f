import Synchronization

/// State the event loop writes and any thread may read.
final class AMQPConnectionSharedState: Sendable {
    private let blocked = Atomic<Bool>(false)
    private let pauses = Atomic<Int>(0)

    var isBlocked: Bool { blocked.load(ordering: .relaxed) }

    func setBlocked(_ value: Bool) { blocked.store(value, ordering: .relaxed) }

    /// How many times reading from the socket stopped because a consumer's buffer was full.
    var readPauses: Int { pauses.load(ordering: .relaxed) }

    func countReadPause() { pauses.add(1, ordering: .relaxed) }
}
