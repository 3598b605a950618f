import RapportStore
import Synchronization

/// Lets a sender sleep until the log moves past a position or its doorbell rings for another
/// reason (a client message, shutdown), whichever comes first.
///
/// At most one commit wait is outstanding per watch; it rings the doorbell when the log moves
/// (at once for this node's commits, within a second for other nodes').
final class CommitWatch: Sendable {
    private let events: any EventStore
    private let wake: Doorbell
    private let watching = Atomic<Bool>(false)

    init(events: any EventStore, wake: Doorbell) {
        self.events = events
        self.wake = wake
    }

    /// Sleeps until a commit after `position` or a ring; with no position, until a ring.
    func wait(after position: Int64?) async {
        if let position, !watching.exchange(true, ordering: .acquiringAndReleasing) {
            Task {
                await self.events.waitForCommit(after: position, timeout: .seconds(1))
                self.watching.store(false, ordering: .releasing)
                self.wake.ring()
            }
        }
        await wake.wait()
    }
}
