import RapportCore
import Synchronization

/// The latest events this process committed, as it committed them, so that a consumer reading a
/// few types (the router, the duplicate monitor, a chat) takes a stretch of the log it covers from
/// memory instead of reading and parsing it again from the database it was just written to.
///
/// It knows only what this process committed. A stretch with anything else in it — another
/// node's commits on PostgreSQL, another process writing the same SQLite file — leaves a gap in
/// the sequences it saw, and a stretch with a gap, or older than what it keeps, is read from the
/// database as before. It is told of a commit only once the commit is durable. It keeps the
/// events themselves, so only the last second or so of a busy log; `RecentCommitTypes` keeps just
/// the types over a longer stretch, for a consumer further behind.
final class RecentEvents: Sendable {
    private struct Kept {
        /// One run of sequences, oldest first: a commit that does not follow on starts it afresh.
        var events: [Event] = []
    }

    private let kept = Mutex(Kept())
    private let limit: Int

    /// Keeps at least the last `limit` events (and at most twice that: trimmed in halves, so a
    /// commit costs no shifting of the whole list).
    init(limit: Int = 8_192) {
        self.limit = limit
    }

    /// Notes a commit's events, in sequence order; call before its head is announced.
    func record(_ events: [Event]) {
        guard let first = events.first?.sequence, let last = events.last?.sequence else { return }
        let oneRun = last - first + 1 == Int64(events.count)
        kept.withLock { kept in
            guard oneRun else {
                kept.events.removeAll()
                return
            }
            if let previous = kept.events.last?.sequence, previous + 1 != first { kept.events.removeAll() }
            kept.events.append(contentsOf: events)
            if kept.events.count > 2 * limit { kept.events.removeFirst(kept.events.count - limit) }
        }
    }

    /// The events after `sequence` that pass `filter`, at most `limit` of them, read as
    /// `EventLog.window` reads them up to `head`; nil when the events kept do not hold every
    /// event from just after `sequence` to `head`.
    func window(after sequence: Int64, limit: Int, matching filter: EventTypeFilter, upTo head: Int64) -> EventWindow? {
        guard head > sequence, limit > 0 else { return nil }
        return kept.withLock { kept -> EventWindow? in
            guard let first = kept.events.first?.sequence, let last = kept.events.last?.sequence,
                  first <= sequence + 1, last >= head else { return nil }
            var found: [Event] = []
            for event in kept.events[Int(sequence + 1 - first)...Int(head - first)] where filter.matches(event.type) {
                found.append(event)
                if found.count == limit { return EventWindow(events: found, reached: event.sequence) }
            }
            return EventWindow(events: found, reached: head)
        }
    }
}
