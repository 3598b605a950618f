import RapportCore
import Synchronization

/// The event types of this process's latest commits, so that a consumer reading a few types can
/// pass over a stretch of the log that surely holds none of them without reading it (the
/// duplicate monitor, say, while only interactions arrive).
///
/// It knows only what this process committed. A stretch with anything else in it — another
/// node's commits on PostgreSQL, another process writing the same SQLite file — leaves a gap in
/// the sequences it saw, and a stretch with a gap is read from the database as before.
final class RecentCommitTypes: Sendable {
    private struct Commit {
        let first: Int64
        let last: Int64
        let types: Set<String>
    }

    /// Oldest first; a commit whose events are not one run of sequences is not kept.
    private let commits = Mutex<[Commit]>([])
    private let kept: Int

    /// Keeps the last `kept` commits (a consumer further behind reads the log).
    init(kept: Int = 4_096) {
        self.kept = kept
    }

    /// Notes a commit's events (in sequence order); call before its head is announced.
    func record(_ events: [Event]) {
        guard let first = events.first?.sequence, let last = events.last?.sequence, last - first + 1 == Int64(events.count) else { return }
        let commit = Commit(first: first, last: last, types: Set(events.map(\.type)))
        commits.withLock { commits in
            commits.append(commit)
            // Trimmed in halves, so a commit costs no shifting of the whole list.
            if commits.count > 2 * kept { commits.removeFirst(commits.count - kept) }
        }
    }

    /// True when every event after `sequence` up to `head` was committed by this process in the
    /// commits kept, and none of them passes `filter`; false when that is not known.
    func surelyNone(after sequence: Int64, upTo head: Int64, matching filter: EventTypeFilter) -> Bool {
        guard head > sequence else { return false }
        return commits.withLock { commits in
            // The commit holding the first event after `sequence`.
            var low = 0
            var high = commits.count
            while low < high {
                let middle = (low + high) / 2
                if commits[middle].last <= sequence { low = middle + 1 } else { high = middle }
            }
            guard low < commits.count, commits[low].first <= sequence + 1 else { return false }
            var covered = sequence
            for commit in commits[low...] {
                guard commit.first <= covered + 1 else { return false }
                if commit.types.contains(where: filter.matches) { return false }
                covered = max(covered, commit.last)
                if covered >= head { return true }
            }
            return false
        }
    }
}
