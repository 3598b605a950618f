import RapportCore
import RapportStore

/// Follows the event log for one reader, at the reader's own pace.
///
/// Each call to `next` reads one page of the log after `position` and returns the events the
/// reader's selection admits; `position` moves past everything read, delivered or not, so a
/// reader never sees an event twice and never skips one it may read. Nothing is buffered between
/// calls: a slow reader simply calls less often and lags behind the head.
struct EventFollower: Sendable {
    let events: any EventStore
    let selection: EventSelection
    /// The sequence of the last event read (delivered or passed over).
    private(set) var position: Int64
    /// Events read from the log per page.
    var pageSize = 200

    init(events: any EventStore, selection: EventSelection, after position: Int64) {
        self.events = events
        self.selection = selection
        self.position = position
    }

    /// The admitted events of the next page, at most `limit`; empty when the log has nothing after
    /// `position` (or nothing admitted in this page). With a limit that cuts a page short,
    /// `position` stops at the last event returned so the rest is read next time.
    /// `caughtUp` is true when the page was the end of the log.
    mutating func next(limit: Int = .max) async throws -> (events: [Event], caughtUp: Bool) {
        let page = try await events.events(after: position, limit: pageSize)
        var admitted: [Event] = []
        for event in page {
            if selection.admits(event) {
                admitted.append(event)
                if admitted.count >= limit {
                    position = event.sequence
                    return (admitted, false)
                }
            }
        }
        if let last = page.last { position = last.sequence }
        return (admitted, page.count < pageSize)
    }

    /// Returns when the log may have moved past `position`: at once for this node's commits,
    /// within `timeout` for other nodes'.
    func waitForCommit(timeout: Duration) async {
        await events.waitForCommit(after: position, timeout: timeout)
    }
}
