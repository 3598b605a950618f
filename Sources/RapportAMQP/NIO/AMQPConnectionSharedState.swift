import Synchronization

/// State the event loop writes and any thread may read.
final class AMQPConnectionSharedState: Sendable {
    private let blocked = Atomic<Bool>(false)

    var isBlocked: Bool { blocked.load(ordering: .relaxed) }

    func setBlocked(_ value: Bool) { blocked.store(value, ordering: .relaxed) }
}
